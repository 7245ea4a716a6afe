import AloftCompiler
import Foundation
import LocatedYAML

/// Compile of a generated workflow: `nodes` echo tasks, each reading the previous node and every tenth
/// reading a workflow input too, with a map node and a branch every thousand nodes.
enum CompileBench {
    static func spec(nodes: Int) -> String {
        var s = """
            version: 1
            tasks:
              step:
                type: echo
                inputs: {x: integer, y: {type: integer, default: 0}}
                outputs: {x: integer}
              each:
                type: echo
                inputs: {x: integer}
                outputs: {x: integer}
            workflows:
              big:
                inputs: {start: integer, items: list<integer>}
                outputs:
                  last: {type: integer, from: $n\(nodes - 1).x}
                nodes:
                  - {id: n0, task: step, inputs: {x: $inputs.start}}

            """
        s.reserveCapacity(nodes * 64)
        for i in 1..<nodes {
            if i % 1000 == 500 {
                s += "      - {id: n\(i), map: {task: each, over: {x: $inputs.items}}}\n"
                s +=
                    "      - {id: n\(i)_pick, branch: [{if: \"$n\(i - 1).x > 3\", then: {task: step, inputs: {x: $n\(i - 1).x}}}, {else: {task: step, inputs: {x: 0}}}]}\n"
                continue
            }
            let previous = (i - 1) % 1000 == 500 ? "n\(i - 1)_pick" : "n\(i - 1)"
            s +=
                i % 10 == 0
                ? "      - {id: n\(i), task: step, inputs: {x: $\(previous).x, y: $inputs.start}}\n"
                : "      - {id: n\(i), task: step, inputs: {x: $\(previous).x}}\n"
        }
        return s
    }

    static func run(nodes: Int, repeats: Int) {
        // `aloft-bench compile hostile [SHAPE] [SIZE]`: the pathological shapes (see HostileCompileBench).
        if CommandLine.arguments.dropFirst(2).first == "hostile" {
            HostileCompileBench.run(Array(CommandLine.arguments.dropFirst(3).filter { $0 != "--json" }))
            return
        }
        let text = spec(nodes: nodes)
        print(
            "Compile of a generated \(nodes)-node workflow (\(text.utf8.count / 1024) KiB of YAML; chains, fan-in from inputs,"
        )
        print("a map and a branch every 1,000 nodes). Median of \(repeats) runs, release build.\n")
        var parse = Samples(), total = Samples()
        let compiler = Compiler()
        for _ in 0..<repeats {
            let t0 = now()
            _ = try? YAMLDocument.parse(text, file: "big.yaml")
            let t1 = now()
            let result = compiler.compile(text: text, path: "/tmp/big.yaml")
            let t2 = now()
            precondition(result.spec?.workflows["big"]?.nodes.count ?? 0 >= nodes, "\(result.diagnostics.prefix(3))")
            parse.add(t1 - t0)
            total.add(t2 - t1)
        }
        let ms = { (s: Samples) in String(format: "%.1f ms", s.percentile(0.5) / 1000) }
        print("YAML parse alone (libyaml + located values) \(ms(parse))")
        print("aloft compile, whole (parse + checks + IR) \(ms(total))   target ≤ 200 ms")
        print(String(format: "peak RSS %.1f MB", peakRSSMegabytes()))
    }
}

/// The pathological spec shapes of issue 15 (compile must stay linear, or n log n, in the spec's size, and
/// hostile input must be refused, never crash): `aloft-bench compile hostile [SHAPE] [SIZE]`. Each compile
/// runs on a thread with the 512 KiB stack of Swift's cooperative pool on Linux, where `aloft compile` runs.
enum HostileCompileBench {
    struct Shape: Sendable {
        var name: String
        var size: Int
        var describe: String
        var text: @Sendable (Int) -> String
    }

    static let shapes: [Shape] = [
        Shape(
            name: "subworkflow-chain", size: 2_000, describe: "a chain of N sub-workflows, each calling the one before",
            text: HostileSpecs.subworkflowChain),
        Shape(
            name: "subworkflow-cycle", size: 2_000, describe: "N sub-workflows calling each other in a ring (N errors)",
            text: HostileSpecs.subworkflowCycle),
        Shape(
            name: "enum", size: 10_000, describe: "an enum of N values, as a type expression and a default",
            text: HostileSpecs.bigEnum),
        Shape(
            name: "enum-bindings", size: 10_000, describe: "an enum of N values and N nodes each binding one of them",
            text: HostileSpecs.enumBindings),
        Shape(
            name: "condition", size: 6_000, describe: "a branch condition of N terms joined by and",
            text: HostileSpecs.longCondition),
        Shape(
            name: "node-cycle", size: 100_000, describe: "N nodes reading each other in one cycle",
            text: HostileSpecs.nodeCycle),
        Shape(
            name: "errors-unknown-node", size: 100_000,
            describe: "N nodes, each reading a node that does not exist (N errors)",
            text: HostileSpecs.errorsUnknownNode),
        Shape(
            name: "errors-unknown-task", size: 100_000,
            describe: "N nodes, each calling a task that does not exist (N errors)",
            text: HostileSpecs.errorsUnknownTask),
        Shape(
            name: "errors-mixed", size: 100_000, describe: "N errors of six kinds (keys, types, references, bindings)",
            text: HostileSpecs.errorsMixed),
        Shape(
            name: "alias-bomb", size: 9, describe: "billion laughs: N levels of ten aliases each, in a task's config",
            text: HostileSpecs.aliasBomb),
        Shape(
            name: "alias-deep", size: 50, describe: "N levels of aliases, each nesting the one before 200 deep",
            text: HostileSpecs.aliasDeep),
    ]

    static func run(_ args: [String]) {
        let only = args.first
        let size = args.dropFirst().first.flatMap { Int($0) }
        print(
            "Compile of hostile specs, on a 512 KiB stack (release build). Time of one compile (median of 3 when under 1 s).\n"
        )
        for shape in shapes where only == nil || shape.name == only {
            let n = size ?? shape.size
            let text = shape.text(n)
            var times: [Double] = []
            var outcome = ""
            for _ in 0..<3 {
                let t0 = now()
                let result = onSmallStack { Compiler().compile(text: text, path: "/tmp/hostile.yaml") }
                times.append(Double(now() - t0) / 1e9)
                if let spec = result.spec {
                    outcome = "ok (\(spec.workflows.count) workflows)"
                } else {
                    let first = result.diagnostics.first.map { String($0.description.prefix(150)) } ?? ""
                    outcome = "\(result.diagnostics.count) errors; first: \(first)"
                }
                if times.last! > 1 { break }
            }
            times.sort()
            print("\(shape.name) (N = \(n): \(shape.describe); \(text.utf8.count / 1024) KiB)")
            print(
                String(format: "  %.3f s   peak RSS %.0f MB   %@", times[times.count / 2], peakRSSMegabytes(), outcome))
            reportJSON(workload: "compile-\(shape.name)", n: n, seconds: times[times.count / 2])
        }
    }

    /// Runs `body` on a thread with the cooperative pool's stack size and waits for it.
    static func onSmallStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = body()
            done.signal()
        }
        thread.stackSize = 512 << 10
        thread.start()
        done.wait()
        return box.value!
    }
}

/// Written by one thread, read by another after a semaphore: the semaphore orders the two.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Generators of the hostile shapes (the compiler tests build the same shapes at their own sizes).
enum HostileSpecs {
    static let header = """
        version: 1
        tasks:
          step: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
        workflows:

        """

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

    static func subworkflowCycle(_ n: Int) -> String {
        var s = header
        for i in 0..<n {
            s += "  w\(i):\n    inputs: {x: integer}\n    outputs: {x: {type: integer, from: $s.x}}\n"
            s += "    nodes:\n      - {id: s, workflow: w\((i + 1) % n), inputs: {x: $inputs.x}}\n"
        }
        return s
    }

    static func bigEnum(_ n: Int) -> String {
        let type = "\"enum{" + (0..<n).map { "v\($0)" }.joined(separator: ", ") + "}\""
        return """
            version: 1
            tasks:
              pick: {type: echo, inputs: {colour: \(type)}, outputs: {colour: \(type)}}
            workflows:
              w:
                inputs: {colour: {type: \(type), default: v\(n - 1)}}
                outputs: {colour: {type: \(type), from: $p.colour}}
                nodes:
                  - {id: p, task: pick, inputs: {colour: $inputs.colour}}

            """
    }

    static func enumBindings(_ n: Int) -> String {
        let type = "\"enum{" + (0..<n).map { "v\($0)" }.joined(separator: ", ") + "}\""
        var s = "version: 1\ntasks:\n  pick: {type: echo, inputs: {colour: \(type)}}\nworkflows:\n  w:\n    nodes:\n"
        for i in 0..<n { s += "      - {id: n\(i), task: pick, inputs: {colour: v\(n - 1 - i)}}\n" }
        return s
    }

    static func longCondition(_ n: Int) -> String {
        let condition = (0..<n).map { "$inputs.n > \($0)" }.joined(separator: " and ")
        return header + """
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

    static func nodeCycle(_ n: Int) -> String {
        var s = header + "  w:\n    nodes:\n"
        for i in 0..<n { s += "      - {id: n\(i), task: step, inputs: {x: $n\((i + 1) % n).x}}\n" }
        return s
    }

    static func errorsUnknownNode(_ n: Int) -> String {
        var s = header + "  w:\n    nodes:\n"
        for i in 0..<n { s += "      - {id: n\(i), task: step, inputs: {x: $m\(i).x}}\n" }
        return s
    }

    static func errorsUnknownTask(_ n: Int) -> String {
        var s = header + "  w:\n    nodes:\n"
        for i in 0..<n { s += "      - {id: n\(i), task: step\(i)}\n" }
        return s
    }

    static func errorsMixed(_ n: Int) -> String {
        var s = header + "  w:\n    inputs: {k: integer}\n    nodes:\n"
        for i in 0..<n {
            switch i % 6 {
            case 0: s += "      - {id: n\(i), task: step, inputs: {x: $m\(i).x}}\n"  // unknown node
            case 1: s += "      - {id: n\(i), task: step, inputs: {x: \"text\"}}\n"  // literal of the wrong type
            case 2: s += "      - {id: n\(i), task: step, inputs: {x: $inputs.q\(i)}}\n"  // unknown input
            case 3: s += "      - {id: n\(i), task: step, inputs: {y: 1}}\n"  // unknown input name, required x missing
            case 4: s += "      - {id: n\(i), task: step, input: {x: 1}}\n"  // unknown key
            default: s += "      - {id: n\(i), task: step, inputs: {x: $n\(i - 1).y}}\n"  // unknown output
            }
        }
        return s
    }

    static func aliasBomb(_ levels: Int) -> String {
        var s = "version: 1\ntasks:\n  t:\n    type: echo\n    config:\n"
        s += "      x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for l in 1..<max(1, levels) {
            s += "      x\(l): &x\(l) [" + Array(repeating: "*x\(l - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        return s
    }

    /// Each level nests the one before 200 deep: N levels are 200 × N deep once the aliases are expanded.
    static func aliasDeep(_ levels: Int) -> String {
        let open = String(repeating: "[", count: 200), close = String(repeating: "]", count: 200)
        var s = "version: 1\ntasks:\n  t:\n    type: echo\n    config:\n      x0: &x0 \(open)1\(close)\n"
        for l in 1..<max(1, levels) { s += "      x\(l): &x\(l) \(open)*x\(l - 1)\(close)\n" }
        return s
    }
}
