public import AloftWire
public import PluginHost

/// The plugin directory as `aloft plugins list --json` and `aloft serve` show it: every file found (loaded,
/// or refused with its reason), the task-type routes, and the host's problems.
public enum PluginsView {
    public static func json(_ record: PluginRecord) -> JSON {
        var o: [String: JSON] = ["file": .string(record.path), "origin": .string(record.origin.rawValue)]
        if let d = record.descriptor {
            o["id"] = .string(d.id)
            o["version"] = .string(d.version)
            o["abi"] = .string(d.abi)
            o["task_types"] = .array(d.taskTypes.map(JSON.string))
            o["description"] = .string(d.description)
        }
        switch record.status {
        case .loaded(let plugin) where plugin.isQuarantined:
            o["status"] = .string("quarantined")
            o["overruns"] = .integer(Int64(plugin.overrunCount))
        case .loaded(let plugin):
            o["status"] = .string("loaded")
            o["isolation"] = .string(plugin.isIsolated ? "process" : "in-process")
            // A newer version found by a rescan takes new tasks; this one finishes those it has.
            if let newer = record.supersededBy { o["superseded_by"] = .string(newer) }
        case .disabled: o["status"] = .string("disabled")
        case .notNeeded: o["status"] = .string("not-needed")
        case .deferred: o["status"] = .string("deferred")
        case .refused(let r):
            o["status"] = .string("refused")
            o["refusal"] = .object(["kind": .string(r.kind), "message": .string(r.description)])
        }
        return .object(o)
    }

    public static func json(_ host: PluginHost) -> JSON {
        let snapshot = host.snapshot  // one moment: a rescan may publish another meanwhile
        return .object([
            "plugins": .array(snapshot.catalog.records.map(json)),
            "routes": .object(snapshot.router.table.mapValues(JSON.string)),
            "problems": .array(snapshot.problems.map(JSON.string)),
        ])
    }
}
