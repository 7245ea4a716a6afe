public import AloftWire

/// How `aloft plugins check` runs the checks.
public struct ConformanceOptions: Sendable {
    /// The budget of every task call (submit, poll, abort, finalize): a call that outlives it "never returns".
    public var callBudget: Duration
    /// The budget of loading the file and of init.
    public var initBudget: Duration
    /// How long one task may take from submit to a terminal phase.
    public var taskTimeout: Duration
    /// How many tasks the concurrency check runs at once.
    public var concurrentTasks: Int
    /// Threads the plugin's calls run on.
    public var threads: Int
    /// Handed to init.
    public var pluginConfig: JSON

    public init(
        callBudget: Duration = .seconds(5), initBudget: Duration = .seconds(30), taskTimeout: Duration = .seconds(60),
        concurrentTasks: Int = 32, threads: Int = 8, pluginConfig: JSON = .object([:])
    ) {
        self.callBudget = callBudget
        self.initBudget = initBudget
        self.taskTimeout = taskTimeout
        self.concurrentTasks = concurrentTasks
        self.threads = threads
        self.pluginConfig = pluginConfig
    }
}
