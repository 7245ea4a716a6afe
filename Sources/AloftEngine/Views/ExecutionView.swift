public import AloftWire
public import FoundationEssentials

/// What people are shown about one execution: by `aloft executions show/list` (text and `--json`) and by
/// `aloft serve` (its API and console) alike, so the two never disagree. Built from the stored records;
/// nothing here writes.
public struct ExecutionView: Sendable, Equatable {
    public var id: String
    public var project: String
    public var domain: String
    public var workflow: String
    /// The stored phase.
    public var phase: ExecutionRecord.Phase
    /// The phase as shown: `running` only while a live process drives it, `orphaned (no live owner)` when its
    /// driver died and nobody resumed it yet, `damaged` when its row could not be read whole.
    public var status: String
    /// Who drives a running execution (host, pid, role), when a live process does.
    public var driver: String?
    public var launchedFrom: String?
    public var recoveredFrom: String?
    public var labels: [String: String]
    public var inputs: LiteralMap
    public var outputs: LiteralMap?
    public var error: String?
    public var damage: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Its nodes, ordered by path; nil in a summary (a list).
    public var nodes: [NodeView]?

    /// A summary (no nodes) or, with `nodes`, the whole execution.
    public init(_ e: ExecutionRecord, store: any Store, nodes withNodes: Bool) throws {
        let live = Self.needsDriver(e) ? try store.liveDriver(of: e.id) : nil
        self.init(e, liveDriver: live, nodes: withNodes ? try store.nodes(execution: e.id) : nil)
    }

    /// Summaries of a page of executions: the drivers of its running ones read in one query, not one each.
    public static func summaries(_ records: [ExecutionRecord], store: any Store) throws -> [ExecutionView] {
        let running = records.filter(needsDriver).map { ExecutionLease.name($0.id) }
        // A page's running executions mostly share one driver: ask once per holder whether it is dead.
        var deadHere: [LeaseHolder: Bool] = [:]
        let now = Date()
        let leases = try store.leases(running).filter { lease in
            guard lease.expiresAt > now else { return false }
            if deadHere[lease.holder] == nil { deadHere[lease.holder] = lease.holder.isDeadHere }
            return deadHere[lease.holder] == false
        }
        let live = Dictionary(leases.map { ($0.name, $0.holder) }, uniquingKeysWith: { a, _ in a })
        return records.map { ExecutionView($0, liveDriver: live[ExecutionLease.name($0.id)], nodes: nil) }
    }

    private static func needsDriver(_ e: ExecutionRecord) -> Bool { e.phase == .running && e.damage == nil }

    /// `liveDriver`: who holds the execution's lease, if a live process does (asked only of a running one).
    init(_ e: ExecutionRecord, liveDriver live: LeaseHolder?, nodes nodeRecords: [NodeRecord]?) {
        id = e.id
        project = e.project
        domain = e.domain
        workflow = e.workflow
        phase = e.phase
        driver = live.map(\.description)
        if e.damage != nil {
            status = "damaged"
        } else if e.phase == .running {
            status = live == nil ? "orphaned (no live owner)" : "running"
        } else {
            status = e.phase.rawValue
        }
        launchedFrom = e.launchedFrom
        recoveredFrom = e.recoveredFrom
        labels = e.labels
        inputs = e.inputs
        outputs = e.outputs
        error = e.error
        damage = e.damage
        createdAt = e.createdAt
        updatedAt = e.updatedAt
        nodes = nodeRecords?.map(NodeView.init)
    }
}

/// One node of an execution as shown: its phase, attempts, typed outputs and, for a failure, what kind.
public struct NodeView: Sendable, Equatable {
    public var node: String
    public var phase: NodePhase
    /// Attempts started (0 for a node that never called its plugin: queued, skipped, cached, or decided
    /// without a call).
    public var attempts: Int
    public var userFailures: Int
    public var systemFailures: Int
    public var cached: Bool
    /// `execution/node` whose outputs a cache hit reused.
    public var cachedFrom: String?
    public var pluginID: String?
    public var taskExecutionID: String?
    public var taskVersion: String?
    public var inputs: LiteralMap?
    public var outputs: LiteralMap?
    /// The node's last failure: what ended it when it failed, or what a retried attempt died of.
    public var failure: FailureView?
    /// What the plugin says it is doing, while the node runs. A finished node has none: the last message a
    /// running task reported ("counting words") would be stale.
    public var status: String?
    /// The last message its plugin reported, whenever that was (a finished BigQuery job's statistics).
    public var lastMessage: String?
    public var logLinks: [LogLinkRecord]
    public var updatedAt: Date
    /// When it first ran, if known (NodeRecord.startedAt).
    public var startedAt: Date?

    public init(_ n: NodeRecord) {
        node = n.node
        phase = n.state.phase
        attempts = n.taskExecutionID == nil || n.state.cached ? 0 : n.state.attempt + 1
        userFailures = n.state.userFailures
        systemFailures = n.state.systemFailures
        cached = n.state.cached
        cachedFrom = n.cachedFrom
        pluginID = n.pluginID
        taskExecutionID = n.taskExecutionID
        taskVersion = n.taskVersion
        inputs = n.inputs
        outputs = n.outputs
        failure = n.state.lastError.map(FailureView.init)
        status = n.state.phase.isTerminal ? nil : n.statusMessage
        lastMessage = n.statusMessage
        logLinks = n.logLinks
        updatedAt = n.updatedAt
        startedAt = n.startedAt
    }
}

/// A task failure as shown: who is at fault, whether another attempt could help, its code and message.
public struct FailureView: Sendable, Equatable {
    public var kind: TaskError.Kind
    public var retryable: Bool
    public var code: String
    public var message: String

    public init(_ e: TaskError) {
        kind = e.kind
        retryable = e.retryable
        code = e.code.rawValue
        message = e.message
    }

    /// `user error E_CODE (retryable): message`.
    public var summary: String {
        "\(kind.rawValue) error \(code)\(retryable ? " (retryable)" : ""): \(message)"
    }
}
