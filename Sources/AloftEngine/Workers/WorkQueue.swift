public import FoundationEssentials

/// The queue `aloft worker` processes share through the metadata store. `run --detach` and `launch --detach`
/// enqueue an execution (phase `queued`, its compiled plan and inputs stored as for any execution); a worker
/// claims one by taking its execution lease (`execution/<id>`) in the same transaction that picks it, so two
/// workers never drive the same execution. The queue row stays until the execution has ended: when its
/// worker dies the lease expires, and the next claim takes the execution over (the engine resumes it from its
/// stored node and resource states, never submitting a stored task again).
public protocol WorkQueueStore: Sendable {
    /// Stores `execution` (phase `queued`), its first node records (a recovery's reused nodes) and its queue
    /// row in one transaction: a worker never claims it without them.
    func enqueue(_ execution: ExecutionRecord, nodes: [NodeRecord]) throws
    /// Takes the oldest queued or abandoned execution (no live lease, not ended) for `holder` until `until`
    /// and marks it running; nil when there is none. (An ended execution's row, left by a worker that died
    /// between the end and the dequeue, is never claimed.) One transaction: an execution is claimed by one worker at a time.
    func claimExecution(holder: LeaseHolder, until: Date) throws -> ClaimedExecution?
    /// Removes an ended execution's queue row.
    func dequeue(_ execution: String) throws
    /// Aborts an execution no worker has claimed yet; false when it is not queued (a worker runs it).
    func abortQueued(_ execution: String) throws -> Bool
    /// Every lease whose name starts with `prefix` (`worker/`, `execution/`), by name.
    func leases(prefix: String) throws -> [LeaseRecord]
}

extension WorkQueueStore {
    /// Stores `execution` (phase `queued`) and its queue row in one transaction.
    public func enqueue(_ execution: ExecutionRecord) throws { try enqueue(execution, nodes: []) }
}

/// An execution a worker claimed: a queued one it starts, or one whose worker died that it takes over.
public struct ClaimedExecution: Sendable, Equatable {
    public var id: String
    /// False for a takeover: the execution had been running under another worker's lease.
    public var wasQueued: Bool
}

/// What a queued execution's abort writes as its error.
let abortedInQueue = "aborted before a worker started it"

extension LeaseHolder {
    /// A stored holder that cannot be read.
    static let unknown = LeaseHolder(host: "?", bootID: "", pid: 0, processStart: 0, role: "?")
}
