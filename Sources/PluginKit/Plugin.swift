import AloftWire

/// What a Swift plugin implements. The kit turns it into the C ABI (see `PluginExport`).
///
/// Threads: `submit`, `poll`, `abort`, `finalize` and `taskLogs` for one task never overlap; calls for
/// different tasks run concurrently, so shared state must be protected. `init` and `shutdown` run alone.
/// Do long work outside calls: start it in `submit`, observe it in `poll`.
public protocol Plugin: AnyObject, Sendable {
    static var info: PluginInfo { get }

    /// Validate `config` (the plugin's section of the host config, a JSON object) and get ready.
    init(config: JSON, host: HostServices) throws(PluginError)

    /// Start the task; return the resource state later calls receive. Idempotent per `task.executionID`.
    func submit(_ task: TaskCall) throws(PluginError) -> [UInt8]
    /// Report the task's phase without blocking on it.
    func poll(_ task: TaskCall) throws(PluginError) -> PollResult
    /// Stop the task; succeed when it is already gone.
    func abort(_ task: TaskCall) throws(PluginError)
    /// Release what submit acquired. Called exactly once per submitted task.
    func finalize(_ task: TaskCall) throws(PluginError)
    /// Runs one task of a type in `info.syncTaskTypes` to its end, within the call budget, and returns its
    /// outputs (ABI 1.1, the synchronous tier). No resource state, nothing to abort or finalize; idempotent per
    /// `task.executionID` (a host that died during the call calls again with the same id). A thrown error
    /// fails the attempt (a retryable one starts a new attempt within the task's retry budget).
    func runSync(_ task: TaskCall) throws(PluginError) -> LiteralMap
    /// Where people find this task's logs; nil when the plugin keeps none.
    func taskLogs(_ task: TaskCall) throws(PluginError) -> [LogLink]?
    func shutdown()
    /// Checks a task's declaration when its spec is compiled (extension "aloft.task-check/1"): every
    /// problem with its place, so a user sees it with file:line before anything is submitted. Pure: no task
    /// runs, nothing is started; reading a local file the task names is fine. Called from any thread.
    func check(_ task: TaskTemplate) -> [TaskProblem]
}

extension Plugin {
    public func runSync(_ task: TaskCall) throws(PluginError) -> LiteralMap {
        throw .system("this plugin declares no synchronous task types", code: "NotSynchronous", retryable: false)
    }
    public func finalize(_ task: TaskCall) throws(PluginError) {}
    public func taskLogs(_ task: TaskCall) throws(PluginError) -> [LogLink]? { nil }
    public func shutdown() {}
    public func check(_ task: TaskTemplate) -> [TaskProblem] { [] }
}
