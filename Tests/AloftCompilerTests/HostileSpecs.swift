/// Generators of the hostile spec shapes of issue 15 too large to keep as files (aloft-bench compile
/// hostile builds the same shapes to time them).
enum HostileSpecs {
    static let header = """
        version: 1
        tasks:
          step: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
        workflows:

        """

    /// `w0` runs the task; each `wI` calls `wI-1`.
    static func subworkflowChain(_ n: Int) -> String {
        var s = header
        s +=
            "  w0:\n    inputs: {x: integer}\n    outputs: {x: {type: integer, from: $s.x}}\n    nodes:\n      - {id: s, task: step, inputs: {x: $inputs.x}}\n"
        for i in 1..<n {
            s += "  w\(i):\n    inputs: {x: integer}\n    outputs: {x: {type: integer, from: $s.x}}\n"
            s += "    nodes:\n      - {id: s, workflow: w\(i - 1), inputs: {x: $inputs.x}}\n"
        }
        return s
    }

    /// Each `wI` calls `wI+1`, the last calls `w0`.
    static func subworkflowRing(_ n: Int) -> String {
        var s = header
        for i in 0..<n {
            s += "  w\(i):\n    inputs: {x: integer}\n    outputs: {x: {type: integer, from: $s.x}}\n"
            s += "    nodes:\n      - {id: s, workflow: w\((i + 1) % n), inputs: {x: $inputs.x}}\n"
        }
        return s
    }

    static func enumType(_ n: Int) -> String {
        "\"enum{" + (0..<n).map { "v\($0)" }.joined(separator: ", ") + "}\""
    }

    /// One enum type in a task's input and output and a workflow's input (with a default) and output.
    static func bigEnum(_ n: Int, default value: String) -> String {
        let type = enumType(n)
        return """
            version: 1
            tasks:
              pick: {type: echo, inputs: {colour: \(type)}, outputs: {colour: \(type)}}
            workflows:
              w:
                inputs: {colour: {type: \(type), default: \(value)}}
                outputs: {colour: {type: \(type), from: $p.colour}}
                nodes:
                  - {id: p, task: pick, inputs: {colour: $inputs.colour}}

            """
    }

    static func condition(_ n: Int, joinedBy op: String = "and") -> String {
        (0..<n).map { "$inputs.n > \($0)" }.joined(separator: " \(op) ")
    }

    static func branch(_ condition: String) -> String {
        header + """
              w:
                inputs: {n: integer}
                nodes:
                  - id: pick
                    branch:
                      - if: "\(condition)"
                        then: {task: step, inputs: {x: $inputs.n}}
                      - else: {fail: too small}

            """
    }

    /// Each node reads the next; the last reads the first.
    static func nodeCycle(_ n: Int) -> String {
        var s = header + "  w:\n    nodes:\n"
        for i in 0..<n { s += "      - {id: n\(i), task: step, inputs: {x: $n\((i + 1) % n).x}}\n" }
        return s
    }

    /// `n` errors, six kinds in turn: an unknown node, a literal of the wrong type, an unknown workflow
    /// input, an unknown input name (with the required one missing), an unknown key, an unknown output.
    static func errors(_ n: Int) -> String {
        var s = header + "  w:\n    inputs: {k: integer}\n    nodes:\n"
        for i in 0..<n {
            switch i % 6 {
            case 0: s += "      - {id: n\(i), task: step, inputs: {x: $m\(i).x}}\n"
            case 1: s += "      - {id: n\(i), task: step, inputs: {x: \"text\"}}\n"
            case 2: s += "      - {id: n\(i), task: step, inputs: {x: $inputs.q\(i)}}\n"
            case 3: s += "      - {id: n\(i), task: step, inputs: {y: 1}}\n"
            case 4: s += "      - {id: n\(i), task: step, input: {x: 1}}\n"
            default: s += "      - {id: n\(i), task: step, inputs: {x: $n\(i - 1).y}}\n"
            }
        }
        return s
    }
}
