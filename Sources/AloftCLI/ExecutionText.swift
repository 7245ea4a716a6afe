import AloftCompiler
import AloftEngine
import AloftWire

/// The text form of execution views, for `aloft executions list` and `show`. Columns come from the view, so
/// a field added there (an owner) is one more column here.
enum ExecutionText {
    static func list(_ views: [ExecutionView]) -> String {
        let rows = views.map { v in
            [v.id, v.status, "\(v.project)/\(v.domain)", v.workflow, ViewTime.text(v.createdAt), v.driver ?? "-"]
        }
        return PluginReport.table([["ID", "PHASE", "PROJECT/DOMAIN", "WORKFLOW", "CREATED", "OWNER"]] + rows)
    }

    static func show(_ v: ExecutionView) -> String {
        var out = "execution \(v.id)  \(v.status)  \(v.project)/\(v.domain)  workflow \(v.workflow)\n"
        if let driver = v.driver { out += "driven by: \(driver)\n" }
        if let from = v.launchedFrom { out += "launched from: \(from)\n" }
        if let from = v.recoveredFrom { out += "recovers: \(from)\n" }
        if !v.labels.isEmpty {
            out += "labels:  " + v.labels.keys.sorted().map { "\($0)=\(v.labels[$0]!)" }.joined(separator: ", ") + "\n"
        }
        out += "inputs:  " + values(v.inputs) + "\n"
        let nodes = v.nodes ?? []
        let rows = nodes.map { n in
            [
                n.node, n.phase.rawValue + (n.cached ? " (cached)" : ""), String(n.attempts), n.pluginID ?? "-",
                n.taskExecutionID ?? "-", n.failure?.summary ?? n.status ?? "",
            ]
        }
        out += PluginReport.table(
            [["NODE", "PHASE", "ATTEMPTS", "PLUGIN", "TASK EXECUTION", "ERROR / STATUS"]] + rows)
        let withOutputs = nodes.filter { !($0.outputs ?? [:]).isEmpty }
        if !withOutputs.isEmpty {
            out += "node outputs:\n"
            for n in withOutputs { out += "  \(n.node): \(values(n.outputs ?? [:], typed: true))\n" }
        }
        // A finished node's last message is what its plugin said at the end (or last said while running).
        let finishedMessages = nodes.filter { $0.status == nil && $0.lastMessage != nil }
        if !finishedMessages.isEmpty {
            out += "last messages:\n"
            for n in finishedMessages { out += "  \(n.node): \(n.lastMessage!)\n" }
        }
        let withLogs = nodes.filter { !$0.logLinks.isEmpty }
        if !withLogs.isEmpty {
            out += "logs:\n"
            for n in withLogs { for l in n.logLinks { out += "  \(n.node) \(l.name): \(l.uri)\n" } }
        }
        if let outputs = v.outputs, !outputs.isEmpty { out += "outputs: " + values(outputs) + "\n" }
        if let error = v.error { out += "error:   \(error)\n" }
        if let damage = v.damage { out += "damaged: \(damage)\n" }
        return out
    }

    /// `a = 1, b = "x"`; typed: `a = 1 (integer), model = s3://b/k (blob csv)`.
    static func values(_ map: LiteralMap, typed: Bool = false) -> String {
        map.keys.sorted().map { name in
            let value = map[name]!
            return "\(name) = \(GraphRenderer.plain(value))" + (typed ? " (\(kind(value)))" : "")
        }.joined(separator: ", ")
    }

    static func kind(_ l: Literal) -> String {
        switch l {
        case .blob(let b) where !b.type.format.isEmpty: return "blob \(b.type.format)"
        case .dataset(let d) where !d.format.isEmpty: return "dataset \(d.format)"
        default: return l.kindName
        }
    }
}
