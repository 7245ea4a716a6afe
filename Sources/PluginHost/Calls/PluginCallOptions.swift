/// Time budgets and isolation settings for the calls into one plugin.
public struct PluginCallOptions: Sendable, Equatable {
    /// Budget of submit, poll, abort, finalize and extension calls.
    public var callBudget: Duration
    /// Budget of dlopen + the entry function, and of init.
    public var initBudget: Duration
    /// Threads dedicated to this plugin's calls.
    public var threads: Int
    /// After this many overruns the plugin takes no new tasks.
    public var quarantineAfter: Int
    /// Largest resource state the host stores.
    public var maxStateBytes: Int

    public init(
        callBudget: Duration = .seconds(30), initBudget: Duration = .seconds(30), threads: Int = 4,
        quarantineAfter: Int = 3, maxStateBytes: Int = 1 << 20
    ) {
        self.callBudget = callBudget
        self.initBudget = initBudget
        self.threads = threads
        self.quarantineAfter = quarantineAfter
        self.maxStateBytes = maxStateBytes
    }
}
