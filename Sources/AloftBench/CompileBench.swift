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
                s += "      - {id: n\(i)_pick, branch: [{if: \"$n\(i - 1).x > 3\", then: {task: step, inputs: {x: $n\(i - 1).x}}}, {else: {task: step, inputs: {x: 0}}}]}\n"
                continue
            }
            let previous = (i - 1) % 1000 == 500 ? "n\(i - 1)_pick" : "n\(i - 1)"
            s += i % 10 == 0
                ? "      - {id: n\(i), task: step, inputs: {x: $\(previous).x, y: $inputs.start}}\n"
                : "      - {id: n\(i), task: step, inputs: {x: $\(previous).x}}\n"
        }
        return s
    }

    static func run(nodes: Int, repeats: Int) {
        let text = spec(nodes: nodes)
        print("Compile of a generated \(nodes)-node workflow (\(text.utf8.count / 1024) KiB of YAML; chains, fan-in from inputs,")
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
