import AloftTaskIO
import PluginKit

/// What to run for one container task, from the task template's `container` and `resources` sections with
/// the plugin config's defaults, placeholders filled for this attempt.
struct ContainerSpec {
    struct Mount: Equatable {
        var source: String
        var target: String
        var readOnly: Bool
    }

    var backend: String
    var image: String?
    var command: [String]
    var env: [String: String]
    var mounts: [Mount]
    /// `none` unless the task asks for `host`: tasks get no network by default.
    var network: String
    var memoryBytes: Int64?
    var cpus: Double?

    static let backends = ["process", "podman", "kubernetes"]

    /// `inputs` replaces the context's for placeholders (a pod sees its blob inputs at other paths).
    init(
        _ context: TaskContext, io: TaskIO, defaults: ContainerDefaults, inputs: LiteralMap? = nil
    )
        throws(PluginError)
    {
        let inputs = inputs ?? context.inputs
        guard let container = context.task.extra["container"] else {
            throw .user("task \(context.task.name) has no container section (command, args)", code: "NoContainer")
        }
        backend = container["backend"]?.stringValue ?? defaults.backend
        guard Self.backends.contains(backend) else {
            throw .user(
                "task \(context.task.name) asks for backend \"\(backend)\"; available: \(Self.backends.joined(separator: ", "))",
                code: "NoBackend")
        }
        image = container["image"]?.stringValue ?? defaults.image
        command = []
        for part in (container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? []) {
            guard let s = part.stringValue else { continue }
            command.append(try io.render(s, inputs: inputs))
        }
        guard !command.isEmpty || backend != "process" else {
            throw .user("task \(context.task.name) has an empty command", code: "NoCommand")
        }
        env = [:]
        for (k, v) in container["env"]?.objectValue ?? [:] {
            if let s = v.stringValue { env[k] = try io.render(s, inputs: inputs) }
        }
        mounts = []
        for m in container["mounts"]?.arrayValue ?? [] {
            guard let text = m.stringValue, let mount = Self.mount(text) else {
                throw .user(
                    "task \(context.task.name): a mount must read SOURCE[:TARGET][:ro|rw], found \(m)", code: "BadMount"
                )
            }
            mounts.append(mount)
        }
        network = container["network"]?.stringValue ?? defaults.network
        memoryBytes = context.task.extra["resources"]?["memory_bytes"]?.integerValue
        cpus = context.task.extra["resources"]?["cpu"]?.numberValue
    }

    /// `SOURCE`, `SOURCE:TARGET`, `SOURCE:ro`, `SOURCE:TARGET:rw`; read-only unless `rw`, same path unless a target.
    static func mount(_ text: String) -> Mount? {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var readOnly = true
        if let last = parts.last, parts.count > 1, last == "ro" || last == "rw" {
            readOnly = last == "ro"
            parts.removeLast()
        }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.hasPrefix("/") }) else { return nil }
        return Mount(source: parts[0], target: parts.count == 2 ? parts[1] : parts[0], readOnly: readOnly)
    }
}

/// The plugin config's defaults for container tasks.
struct ContainerDefaults: Sendable {
    var backend = "process"
    var image: String?
    var network = "none"
}
