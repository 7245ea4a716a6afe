import Foundation
import PluginKit

/// Container tasks (`container`, `raw-container`): a command with arguments, run by a backend. This version
/// has the `process` backend (a local process); `podman` (OCI through the Docker-compatible API) and a
/// Kubernetes pod backend plug in beside it.
///
/// Plugin config (aloft.yaml, plugins.config."aloft.container"):
///   backend:  "process" (default)
///   work_dir: where attempts run when the host's output location is not a local directory
public final class ContainerPlugin: Plugin {
    public static let info = PluginInfo(
        id: "aloft.container", version: "0.1.0",
        description: "Runs a command per task: as a local process (podman and Kubernetes backends to come)",
        taskTypes: ["container", "raw-container"])

    private let host: HostServices
    private let defaultBackend: String
    private let workDir: String

    public init(config: JSON, host: HostServices) throws(PluginError) {
        self.host = host
        defaultBackend = config["backend"]?.stringValue ?? "process"
        guard defaultBackend == "process" else {
            throw .user("backend \"\(defaultBackend)\" is not available in this version; available: process", code: "BadConfig")
        }
        workDir = config["work_dir"]?.stringValue ?? NSTemporaryDirectory() + "aloft-container"
    }

    struct Spec {
        var command: [String]
        var env: [String: String]
        var memoryBytes: Int64?
    }

    private func spec(_ context: TaskContext, io: TaskIO) throws(PluginError) -> Spec {
        guard let container = context.task.extra["container"] else {
            throw .user("task \(context.task.name) has no container section (command, args)", code: "NoContainer")
        }
        if let backend = container["backend"]?.stringValue, backend != "process" {
            throw .user("task \(context.task.name) asks for backend \"\(backend)\"; this version has: process", code: "NoBackend")
        }
        var command: [String] = []
        for part in (container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? []) {
            guard let s = part.stringValue else { continue }
            command.append(try io.render(s, inputs: context.inputs))
        }
        guard !command.isEmpty else { throw .user("task \(context.task.name) has an empty command", code: "NoCommand") }
        var env: [String: String] = [:]
        for (k, v) in container["env"]?.objectValue ?? [:] { if let s = v.stringValue { env[k] = try io.render(s, inputs: context.inputs) } }
        return Spec(command: command, env: env, memoryBytes: context.task.extra["resources"]?["memory_bytes"]?.integerValue)
    }

    private func io(_ call: TaskCall, _ context: TaskContext) -> TaskIO {
        TaskIO(outputPrefix: context.outputPrefix, fallbackRoot: workDir, taskExecutionID: call.executionID)
    }

    public func submit(_ call: TaskCall) throws(PluginError) -> [UInt8] {
        let context = try call.context()
        let io = io(call, context)
        let s = try spec(context, io: io)
        return try ProcessBackend(host: host).submit(call, context, io: io, command: s.command, env: s.env, memoryBytes: s.memoryBytes)
    }

    public func poll(_ call: TaskCall) throws(PluginError) -> PollResult {
        let context = try call.context()
        let memory = context.task.extra["resources"]?["memory_bytes"]?.integerValue
        return try ProcessBackend(host: host).poll(call, io: io(call, context), types: context.task.interface.outputs, memoryBytes: memory)
    }

    public func abort(_ call: TaskCall) throws(PluginError) {
        ProcessBackend(host: host).abort(call)
    }

    public func taskLogs(_ call: TaskCall) throws(PluginError) -> [LogLink]? {
        let io = io(call, try call.context())
        return [LogLink(name: "stdout", uri: "file://" + io.work + "/stdout.log"), LogLink(name: "stderr", uri: "file://" + io.work + "/stderr.log")]
    }
}

@_cdecl("aloft_plugin_entry")
public func aloftPluginEntry(_ host: UnsafePointer<aloft_host>?) -> UnsafePointer<aloft_plugin>? {
    PluginExport.entry(ContainerPlugin.self, host: host)
}
