import AloftSystem
public import AloftWire
import FoundationEssentials

/// Draws a compiled workflow: Graphviz DOT for pictures, an indented list for terminals.
public enum GraphRenderer {
    public static func dot(_ w: CompiledWorkflow) -> String {
        func q(_ s: String) -> String {
            "\""
                + s.replacingBytes(of: "\\", with: "\\\\").replacingBytes(of: "\"", with: "\\\"")
                .replacingBytes(of: "\n", with: "\\n") + "\""
        }
        var out = "digraph \(q(w.name)) {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        out +=
            "  \"@inputs\" [label=\(q("inputs\n" + w.interface.inputs.keys.sorted().joined(separator: "\n"))), shape=ellipse];\n"
        out +=
            "  \"@outputs\" [label=\(q("outputs\n" + w.interface.outputs.keys.sorted().joined(separator: "\n"))), shape=ellipse];\n"
        for n in w.nodes {
            let shape: String
            switch n.kind {
            case .branch: shape = ", shape=diamond, style=\"\""
            case .map: shape = ", shape=box3d, style=\"\""
            case .call(let c): if case .workflow = c.target { shape = ", style=\"rounded,bold\"" } else { shape = "" }
            }
            out += "  \(q(n.id)) [label=\(q(n.id + "\n" + describe(n)))\(shape)];\n"
        }
        for n in w.nodes {
            for u in n.upstream { out += "  \(q(u)) -> \(q(n.id));\n" }
            if readsWorkflowInputs(n) { out += "  \"@inputs\" -> \(q(n.id)) [style=dashed];\n" }
        }
        for (name, b) in w.outputs.sorted(by: { $0.key < $1.key }) {
            for u in b.upstreamNodes.sorted() { out += "  \(q(u)) -> \"@outputs\" [label=\(q(name))];\n" }
        }
        return out + "}\n"
    }

    /// Nodes in order, indented by their depth in the graph, with what each reads from.
    public static func tree(_ w: CompiledWorkflow) -> String {
        var depth: [String: Int] = [:]
        for n in w.nodes { depth[n.id] = (n.upstream.compactMap { depth[$0] }.max() ?? -1) + 1 }
        var out = "workflow \(w.name)  (\(w.nodes.count) node\(w.nodes.count == 1 ? "" : "s"))\n"
        out += "  inputs:  " + signature(w.interface.inputs, defaults: w.defaults) + "\n"
        let width = min(40, (w.nodes.map { $0.id.count + 2 * (depth[$0.id] ?? 0) }.max() ?? 0) + 2)
        for (i, n) in w.nodes.enumerated() {
            let last = i == w.nodes.count - 1
            let indent = String(repeating: "  ", count: depth[n.id] ?? 0)
            let label = indent + n.id
            var line =
                "  " + (last ? "└─ " : "├─ ") + label + String(repeating: " ", count: max(1, width - label.count))
                + describe(n)
            if !n.upstream.isEmpty { line += "  ← " + n.upstream.joined(separator: ", ") }
            out += line + "\n"
        }
        out +=
            "  outputs: "
            + (w.outputs.isEmpty
                ? "none"
                : w.outputs.keys.sorted().map { name in
                    "\(name): \(w.interface.outputs[name]!) ← \(source(w.outputs[name]!))"
                }.joined(separator: ", ")) + "\n"
        return out
    }

    public static func describe(_ n: CompiledNode) -> String {
        switch n.kind {
        case .call(let c): return target(c.target)
        case .map(let m):
            return "map \(target(m.call.target)) over \(m.overInput)" + (m.concurrency.map { " ×\($0)" } ?? "")
                + (m.minSuccessRatio < 1 ? " (≥\(Int(m.minSuccessRatio * 100))% must succeed)" : "")
        case .branch(let cases):
            return "branch: "
                + cases.map { c -> String in
                    switch c.body {
                    case .call(let call): return target(call.target)
                    case .fail: return "fail"
                    }
                }.joined(separator: " | ")
        }
    }

    static func target(_ t: CallTargetIR) -> String {
        switch t {
        case .task(let n): return "task \(n)"
        case .workflow(let n): return "workflow \(n)"
        }
    }

    static func source(_ b: Binding) -> String {
        switch b {
        case .literal(let l): return plain(l)
        case .workflowInput(let n): return "inputs.\(n)"
        case .nodeOutput(let node, let output): return "\(node).\(output)"
        case .list(let items): return "[" + items.map(source).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(source(m[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    public static func signature(_ types: TypeMap, defaults: LiteralMap = [:]) -> String {
        guard !types.isEmpty else { return "none" }
        return types.keys.sorted().map { name in
            "\(name): \(types[name]!)" + (defaults[name].map { " = \(plain($0))" } ?? "")
        }.joined(separator: ", ")
    }

    /// A literal as a person would write it in a spec.
    public static func plain(_ l: Literal) -> String {
        switch l {
        case .none: return "null"
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .string(let s): return "\"\(s)\""
        case .boolean(let b): return String(b)
        case .datetime(let t): return t.rfc3339
        case .duration(let d): return d.aloftWireString
        case .enumeration(let v): return v
        case .blob(let b): return b.uri
        case .dataset(let d): return d.uri
        case .list(let items): return "[" + items.map(plain).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(plain(m[$0]!))" }.joined(separator: ", ") + "}"
        case .structure(let members): return JSONWriter.string(.object(members))
        case .binary(let b): return "base64:" + Base64.encode(b)
        }
    }

    private static func readsWorkflowInputs(_ n: CompiledNode) -> Bool {
        func reads(_ b: Binding) -> Bool {
            switch b {
            case .workflowInput: return true
            case .list(let items): return items.contains(where: reads)
            case .map(let m): return m.values.contains(where: reads)
            default: return false
            }
        }
        switch n.kind {
        case .call(let c): return c.inputs.values.contains(where: reads)
        case .map(let m): return reads(m.over) || m.call.inputs.values.contains(where: reads)
        case .branch(let cases):
            return cases.contains { c in
                if case .call(let call) = c.body { return call.inputs.values.contains(where: reads) }
                return false
            }
        }
    }
}
