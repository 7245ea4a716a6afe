import AloftEngine
import AloftWire
import PluginHost

/// How `aloft plugins` prints what it found.
enum PluginReport {
    static func status(_ record: PluginRecord, inspected: Bool = false) -> String {
        switch record.status {
        case .loaded(let plugin) where plugin.isQuarantined:
            return "quarantined after \(plugin.overrunCount) calls overran their budget (until reloaded)"
        case .loaded(let plugin) where plugin.isIsolated: return "loaded (isolated: runner processes)"
        case .loaded: return "loaded"
        case .disabled: return inspected ? "valid (not initialized)" : "disabled (not in plugins.enabled)"
        case .notNeeded: return "valid (not initialized: this command needs none of its task types)"
        case .deferred: return "valid (initialized at its first task call: this command may need none)"
        case .refused(let r): return "refused: \(r)"
        }
    }

    static func text(_ host: PluginHost) -> String {
        var out = ""
        if host.catalog.records.isEmpty {
            out += "No plugins found. Plugin directories, in precedence order:\n"
            for d in PluginSearchPath.directories(configuration: host.configuration) {
                out += "  \(d.path)  (\(d.origin.rawValue))\n"
            }
        } else {
            var rows = [["ID", "VERSION", "ABI", "TASK TYPES", "STATUS", "FILE"]]
            for r in host.catalog.records {
                let d = r.descriptor
                rows.append([
                    d?.id ?? "-", d?.version ?? "-", d?.abi ?? "-",
                    d?.taskTypes.joined(separator: ",") ?? "-", status(r), r.path,
                ])
            }
            out += table(rows)
        }
        if !host.router.table.isEmpty {
            out += "\nRoutes:\n"
            for type in host.router.servedTypes {
                let how = host.configuration.routes[type] != nil ? "configured" : "only claimant"
                out += "  \(type) -> \(host.router.table[type]!)  (\(how))\n"
            }
        }
        if !host.problems.isEmpty {
            out += "\nProblems:\n"
            for p in host.problems { out += "  - \(p)\n" }
        }
        return out
    }

    static func describe(_ record: PluginRecord) -> String {
        var out = "file:        \(record.path)\n"
        if let d = record.descriptor {
            out += "id:          \(d.id)\nversion:     \(d.version)\nABI:         \(d.abi)\n"
            out += "task types:  \(d.taskTypes.joined(separator: ", "))\n"
            if !d.description.isEmpty { out += "description: \(d.description)\n" }
        }
        out += "status:      \(status(record, inspected: true))\n"
        return out
    }

    static func json(_ record: PluginRecord) -> JSON { PluginsView.json(record) }

    static func json(_ host: PluginHost) -> JSON { PluginsView.json(host) }

    /// Left-aligned columns, two spaces apart.
    static func table(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
