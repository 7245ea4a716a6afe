public import AloftWire
public import FoundationEssentials

/// One run of a workflow.
public struct ExecutionRecord: Sendable, Equatable {
    /// `queued`: waiting for an `aloft worker` to claim it (`run --detach`, `launch --detach`).
    public enum Phase: String, Sendable { case queued, running, succeeded, failed, aborted }

    public var id: String
    public var project: String
    public var domain: String
    public var workflow: String
    /// The compiled workflow and everything it calls, as run (a later edit of the spec file changes nothing).
    public var spec: [UInt8]
    public var inputs: LiteralMap
    public var phase: Phase
    public var outputs: LiteralMap?
    public var error: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The failed execution this one recovers, reusing its succeeded nodes.
    public var recoveredFrom: String?
    /// What was launched, when it came from the registry: `workflow NAME@VERSION`, `launchplan NAME@VERSION`,
    /// `schedule NAME@VERSION at TIME`, `relaunch of ID`.
    public var launchedFrom: String?
    public var labels: [String: String]
    /// Set when the stored row could not be read whole (a damaged store): which column of which table, and
    /// why. The rest of the record is what could be read; other executions are unaffected.
    public var damage: String?

    public init(
        id: String, project: String, domain: String, workflow: String, spec: [UInt8], inputs: LiteralMap,
        phase: Phase = .running, outputs: LiteralMap? = nil, error: String? = nil, createdAt: Date = Date(),
        updatedAt: Date = Date(), recoveredFrom: String? = nil, launchedFrom: String? = nil,
        labels: [String: String] = [:]
    ) {
        self.launchedFrom = launchedFrom
        self.labels = labels
        self.id = id
        self.project = project
        self.domain = domain
        self.workflow = workflow
        self.spec = spec
        self.inputs = inputs
        self.phase = phase
        self.outputs = outputs
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.recoveredFrom = recoveredFrom
    }
}

/// Where executions and node states live. Every method commits before it returns: what the engine does
/// next may rely on it surviving a crash.
public protocol ExecutionStore: Sendable {
    /// The command that ran executions on this store is ending: leave the store quick to open for the next one
    /// (SQLite: a long log truncated, see WALCheckpointer). Nothing else is asked of the store afterwards.
    func finishing()
    func createExecution(_ execution: ExecutionRecord) throws
    func execution(id: String) throws -> ExecutionRecord?
    /// Newest first, optionally within a project and domain.
    func executions(project: String?, domain: String?, limit: Int) throws -> [ExecutionRecord]
    /// Ends the execution; with `heldBy`, only while that process holds the execution's lease, checked in the
    /// same transaction (fencing, as `commit(_:lineage:heldBy:)`): `StoreError.leaseLost` otherwise, and nothing
    /// is written.
    func finishExecution(
        id: String, phase: ExecutionRecord.Phase, outputs: LiteralMap?, error: String?, heldBy holder: LeaseHolder?
    ) throws
    func nodes(execution: String) throws -> [NodeRecord]
    /// Node records and the lineage edges they bring, in one transaction (a group commit; a node's first commit
    /// carries what it read), only while, for each execution in `heldBy`, the given process holds its lease
    /// (`execution/<id>`), checked in the same transaction. This is the fence that keeps a process that lost
    /// an execution to another (it stood still past the lease) from writing, and so from acting on, the other's
    /// nodes before its heartbeat notices: taking a lease over and this check serialize on the lease's row.
    /// Throws `StoreError.leaseLost` for the first such execution not held; nothing is written then.
    func commit(_ nodes: [NodeRecord], lineage: [LineageEdge], heldBy: [String: LeaseHolder]) throws
    /// Asks whoever runs the execution to abort it (works across processes).
    func requestAbort(id: String) throws
    func abortRequested(id: String) throws -> Bool
    /// A local directory for the engine's call journals (CallJournal), when the store lives on this machine
    /// (a host resuming one of its executions reads what the host before it left there); nil otherwise.
    var callJournalRoot: String? { get }
}

extension ExecutionStore {
    public var callJournalRoot: String? { nil }

    /// Ends the execution whoever holds its lease.
    public func finishExecution(id: String, phase: ExecutionRecord.Phase, outputs: LiteralMap?, error: String?) throws {
        try finishExecution(id: id, phase: phase, outputs: outputs, error: error, heldBy: nil)
    }

    /// Writes several node records in one transaction, whoever holds their executions' leases.
    public func commit(_ nodes: [NodeRecord]) throws { try commit(nodes, lineage: [], heldBy: [:]) }

    /// Node records and the lineage edges they bring, in one transaction, whoever holds their executions' leases.
    public func commit(_ nodes: [NodeRecord], lineage: [LineageEdge]) throws {
        try commit(nodes, lineage: lineage, heldBy: [:])
    }
}

public struct LogLinkRecord: Sendable, Equatable {
    public var name: String
    public var uri: String

    public init(name: String, uri: String) {
        self.name = name
        self.uri = uri
    }
}

extension ExecutionStore {
    public func finishing() {}
}
