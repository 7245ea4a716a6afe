public import AloftWire

/// The host's handle for calling one plugin, wherever its code runs: in this process (`LoadedPlugin`) or
/// in runner processes of its own (`IsolatedPlugin`, `isolation: process` in aloft.yaml). The engine,
/// the compiler and the CLI see only this; the plugin sees no difference either.
public protocol TaskPlugin: AnyObject, Sendable {
    var descriptor: PluginDescriptor { get }
    /// The plugin file.
    var path: String { get }
    var options: PluginCallOptions { get }
    /// How many calls overran their budget since the plugin was loaded.
    var overrunCount: Int { get }
    /// Whether the plugin's code runs in runner processes rather than in the host.
    var isIsolated: Bool { get }
    /// Whether the plugin checks task declarations at compile time ("aloft.task-check/1").
    var checksTasks: Bool { get }

    /// Starts the task; returns the resource state to persist.
    func submit(_ task: TaskInvocation) async throws(TaskError) -> [UInt8]
    /// Observes the task. A thrown error means the task could not be observed this time; a task that ran
    /// and failed comes back as a `.failed` outcome.
    func poll(_ task: TaskInvocation) async throws(TaskError) -> PollOutcome
    /// Stops the task. Idempotent.
    func abort(_ task: TaskInvocation) async throws(TaskError)
    /// Releases what submit acquired. Call exactly once per submitted task, last.
    func finalize(_ task: TaskInvocation) async throws(TaskError)
    /// Runs one task of a synchronous type (ABI 1.1, `descriptor.syncTaskTypes`) to its end in one call and
    /// returns its outputs, checked against `task.outputTypes`. A thrown error fails the attempt. Nothing to
    /// abort or finalize follows.
    func runSync(_ task: TaskInvocation) async throws(TaskError) -> LiteralMap
    /// Links to the task's logs, when the plugin offers the "aloft.task-logs/1" extension.
    func taskLogs(_ task: TaskInvocation) async throws(TaskError) -> [(name: String, uri: String)]
    /// The plugin's problems with one task template; blocks the calling thread (the compiler is synchronous).
    func checkTask(template: [UInt8]) -> [TaskCheckProblem]

    /// Waits until every abort and finalize the host deferred has run, or `deadline` passes, or `stop()`
    /// says to stop waiting. True when none is left.
    func waitForDeferredCalls(until deadline: ContinuousClock.Instant, stop: () -> Bool) -> Bool
    /// Called once at host shutdown, after every task call returned.
    func shutdown()
}

extension TaskPlugin {
    public var id: String { descriptor.id }
    /// A quarantined plugin takes no new tasks until it is loaded again.
    public var isQuarantined: Bool { overrunCount >= options.quarantineAfter }
}
