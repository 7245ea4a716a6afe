import AloftHTTP
import AloftTaskIO
import Foundation
public import PluginKit

/// Spark jobs (task types `spark`, `pyspark`): a Python file or a jar with its arguments, Spark and Hadoop
/// settings and resources, run by a backend chosen per task (`config.backend`) or in the plugin config:
///   - `local`: spark-submit --master local[N] as a managed local process (LocalBackend), the default;
///   - `standalone`: a driver in cluster mode on a standalone cluster, via the master's REST server;
///   - `kubernetes`: a SparkApplication for the Spark operator (KubernetesBackend, docs/kubernetes.md).
/// A backend is submit/poll/abort over its resource state.
/// Inputs and outputs follow the container task contract (AloftTaskIO): inputs.json, `{{inputs.NAME}}` /
/// `{{output_dir}}` in the arguments, outputs.json or one file (or directory, for datasets) per output.
public final class SparkPlugin: Plugin {
    public static let info = PluginInfo(
        id: "aloft.spark", version: "0.1.0",
        description: "Spark jobs (Python or jar): local spark-submit, a standalone cluster or the Spark operator",
        taskTypes: ["spark", "pyspark"])

    private let host: HostServices
    private let settings: SparkSettings
    private let http: HTTPClient

    public init(config: JSON, host: HostServices) throws(PluginError) {
        self.host = host
        settings = try SparkSettings(config)
        var httpConfig = HTTPClient.Configuration(log: { [host] line in host.log(.debug, "spark: " + line) })
        httpConfig.connectTimeoutMilliseconds = 2_000
        httpConfig.requestTimeoutMilliseconds = 10_000
        http = HTTPClient(httpConfig)
    }

    public func check(_ task: TaskTemplate) -> [TaskProblem] {
        var problems: [TaskProblem] = []
        let job = SparkJobSpec(task, problems: &problems)
        if problems.isEmpty && (job.backend ?? settings.backend) == "standalone" && job.master == nil
            && settings.master == nil
        {
            problems.append(
                TaskProblem(
                    "the standalone backend needs a master: set master here or in plugins.config.\"aloft.spark\"",
                    at: "config", "backend"))
        }
        if problems.isEmpty && (job.backend ?? settings.backend) == "kubernetes" && settings.kubernetes.image == nil {
            problems.append(
                TaskProblem(
                    "the kubernetes backend needs the Spark image: set image in plugins.config.\"aloft.spark\".kubernetes",
                    at: "config", "backend"))
        }
        return problems
    }

    private func job(_ context: TaskContext) throws(PluginError) -> SparkJobSpec {
        var problems: [TaskProblem] = []
        let job = SparkJobSpec(context.task, problems: &problems)
        // The compiler ran the same check; a spec compiled without this plugin loaded can still get here.
        if let first = problems.first {
            throw .user("task \(context.task.name): \(first.message)", code: "BadSparkTask")
        }
        return job
    }

    private func io(_ call: TaskCall, _ context: TaskContext) -> TaskIO {
        TaskIO(outputPrefix: context.outputPrefix, fallbackRoot: settings.workDir, taskExecutionID: call.executionID)
    }

    private var local: LocalBackend { LocalBackend(host: host, settings: settings, http: http) }
    private var standalone: StandaloneBackend { StandaloneBackend(host: host, settings: settings, http: http) }
    private var kubernetes: KubernetesBackend { KubernetesBackend(host: host, settings: settings) }

    public func submit(_ call: TaskCall) throws(PluginError) -> [UInt8] {
        let context = try call.context()
        let job = try job(context)
        let io = io(call, context)
        switch job.backend ?? settings.backend {
        case "standalone": return try standalone.submit(call, context, job: job, io: io).bytes
        case "kubernetes": return try kubernetes.submit(call, context, job: job).bytes
        default: return try local.submit(call, context, job: job, io: io).bytes
        }
    }

    public func poll(_ call: TaskCall) throws(PluginError) -> PollResult {
        let context = try call.context()
        let io = io(call, context)
        let types = context.task.interface.outputs
        // The state says which backend started the job, whatever the config says now.
        switch try SparkState(call.state) {
        case .local(let pid, let start, let ui):
            return try local.poll(call, pid: pid, startTicks: start, ui: ui, io: io, types: types)
        case .standalone(let id, let rest, _):
            return try standalone.poll(call, id: id, rest: rest, io: io, types: types)
        case .kubernetes(_, let namespace, let name):
            return try kubernetes.poll(call, context, namespace: namespace, name: name)
        }
    }

    public func abort(_ call: TaskCall) throws(PluginError) {
        guard let state = try? SparkState(call.state) else { return }
        switch state {
        case .local(let pid, let start, _): local.abort(pid: pid, startTicks: start, executionID: call.executionID)
        case .standalone(let id, let rest, _): try standalone.abort(id: id, rest: rest)
        case .kubernetes(_, let namespace, let name): kubernetes.abort(namespace: namespace, name: name)
        }
    }

    public func taskLogs(_ call: TaskCall) throws(PluginError) -> [LogLink]? {
        let io = io(call, try call.context())
        var links = [
            LogLink(name: "driver stdout", uri: "file://" + io.work + "/stdout.log"),
            LogLink(name: "driver stderr", uri: "file://" + io.work + "/stderr.log"),
        ]
        switch try? SparkState(call.state) {
        case .local(_, _, let ui?)?: links.append(LogLink(name: "Spark UI (while the job runs)", uri: ui))
        case .standalone(let id, _, let masterUI)?:
            links = masterUI.map { [LogLink(name: "Spark master (driver \(id))", uri: $0)] } ?? []
        case .kubernetes(let server, let namespace, let name)?:
            // The operator names the driver pod <application>-driver.
            links = [
                LogLink(
                    name: "driver pod \(namespace)/\(name)-driver log",
                    uri: "\(server)/api/v1/namespaces/\(namespace)/pods/\(name)-driver/log")
            ]
        default: break
        }
        return links
    }
}

@_cdecl("aloft_plugin_entry")
public func aloftPluginEntry(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(SparkPlugin.self, host: host)
}
