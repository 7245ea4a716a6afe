import AloftKubernetes
import AloftTaskIO
import Foundation
public import PluginKit

/// Container tasks (`container`, `raw-container`): a command with arguments, run by a backend chosen per task
/// (`container.backend`) or in the plugin config:
///   - `process`: a local process in its own process group (ProcessBackend);
///   - `podman`: an OCI container through the Docker Engine API of `podman system service` (PodmanBackend);
///   - `kubernetes`: a pod per attempt, inputs and outputs through S3 (KubernetesBackend, docs/kubernetes.md).
/// A backend is submit/poll/abort/finalize over its own resource state.
///
/// Plugin config (aloft.yaml, plugins.config."aloft.container"):
///   backend:       "process" (default), "podman" or "kubernetes"
///   image:         the image for tasks that name none (podman)
///   network:       "none" (default) or "host" (podman)
///   podman_socket: the engine's unix socket; default $ALOFT_PODMAN_SOCKET, else /run/podman/podman.sock
///   work_dir:      where attempts run when the host's output location is not a local directory
///   kubernetes:    the cluster and the pod backend's settings (PodSettings)
public final class ContainerPlugin: Plugin {
    public static let info = PluginInfo(
        id: "aloft.container", version: "0.2.0",
        description: "Runs a command per task: as a local process, in an OCI container through podman, or as a pod",
        taskTypes: ["container", "raw-container"], checksTasks: false)

    private let host: HostServices
    private let defaults: ContainerDefaults
    private let workDir: String
    private let engine: EngineAPI
    private let waiters: Waiters
    private let pollPauseMilliseconds: Int
    private let submitPauseMilliseconds: Int
    private let pods: PodSettings

    public init(config: JSON, host: HostServices) throws(PluginError) {
        self.host = host
        var defaults = ContainerDefaults()
        defaults.backend = config["backend"]?.stringValue ?? "process"
        guard ContainerSpec.backends.contains(defaults.backend) else {
            throw .user(
                "backend \"\(defaults.backend)\" is not known; available: \(ContainerSpec.backends.joined(separator: ", "))",
                code: "BadConfig")
        }
        defaults.image = config["image"]?.stringValue
        defaults.network = config["network"]?.stringValue ?? "none"
        self.defaults = defaults
        workDir = config["work_dir"]?.stringValue ?? NSTemporaryDirectory() + "aloft-container"
        let socket =
            config["podman_socket"]?.stringValue ?? ProcessInfo.processInfo.environment["ALOFT_PODMAN_SOCKET"]
            ?? "/run/podman/podman.sock"
        engine = EngineAPI(socket: socket, log: { [host] line in host.log(.debug, "podman: " + line) })
        waiters = Waiters(host: host)
        pollPauseMilliseconds = Int(config["test_hooks"]?["poll_pause_ms"]?.integerValue ?? 0)
        submitPauseMilliseconds = Int(config["test_hooks"]?["submit_pause_ms"]?.integerValue ?? 0)
        pods = try PodSettings(config["kubernetes"])
    }

    private func io(_ call: TaskCall, _ context: TaskContext) -> TaskIO {
        TaskIO(outputPrefix: context.outputPrefix, fallbackRoot: workDir, taskExecutionID: call.executionID)
    }

    private var process: ProcessBackend {
        ProcessBackend(
            host: host, pollPauseMilliseconds: pollPauseMilliseconds, submitPauseMilliseconds: submitPauseMilliseconds)
    }
    private var podman: PodmanBackend { PodmanBackend(host: host, api: engine, waiters: waiters) }
    private var kubernetes: KubernetesBackend { KubernetesBackend(host: host, settings: pods) }

    public func submit(_ call: TaskCall) throws(PluginError) -> [UInt8] {
        let context = try call.context()
        let io = io(call, context)
        let spec = try ContainerSpec(context, io: io, defaults: defaults)
        switch spec.backend {
        case "podman": return try podman.submit(call, context, io: io, spec: spec)
        case "kubernetes":
            // The command again, its placeholders filled with the paths the pod sees.
            let podSpec = try ContainerSpec(
                context, io: KubernetesBackend.podIO(call), defaults: defaults,
                inputs: AttemptBlobs.podView(context.inputs).inputs)
            return try kubernetes.submit(call, context, spec: podSpec)
        default: return try process.submit(call, context, io: io, spec: spec)
        }
    }

    public func poll(_ call: TaskCall) throws(PluginError) -> PollResult {
        let context = try call.context()
        let memory = context.task.extra["resources"]?["memory_bytes"]?.integerValue
        let io = io(call, context)
        // The state says which backend started the task, whatever the config says now.
        if let state = KubernetesBackend.State(call.state) {
            return try kubernetes.poll(call, state, context, memoryBytes: memory)
        }
        if let state = PodmanBackend.State(call.state) {
            return try podman.poll(call, state, io: io, types: context.task.interface.outputs, memoryBytes: memory)
        }
        return try process.poll(call, io: io, types: context.task.interface.outputs, memoryBytes: memory)
    }

    public func abort(_ call: TaskCall) throws(PluginError) {
        if let state = KubernetesBackend.State(call.state) {
            kubernetes.delete(state, gracePeriodSeconds: 5)
        } else if let state = PodmanBackend.State(call.state) {
            podman.abort(state)
        } else {
            process.abort(call)
        }
    }

    public func finalize(_ call: TaskCall) throws(PluginError) {
        if let state = KubernetesBackend.State(call.state) { kubernetes.delete(state) }
        if let state = PodmanBackend.State(call.state) { podman.finalize(state) }
    }

    public func taskLogs(_ call: TaskCall) throws(PluginError) -> [LogLink]? {
        if let state = KubernetesBackend.State(call.state) {
            return [LogLink(name: "pod \(state.namespace)/\(state.name) log", uri: state.logURL)]
        }
        let io = io(call, try call.context())
        return [
            LogLink(name: "stdout", uri: "file://" + io.work + "/stdout.log"),
            LogLink(name: "stderr", uri: "file://" + io.work + "/stderr.log"),
        ]
    }
}

@_cdecl("aloft_plugin_entry")
public func aloftPluginEntry(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(ContainerPlugin.self, host: host)
}
