import AloftCompiler
import AloftWire
import FoundationEssentials
import Logging
import PluginHost
import Synchronization

/// Everything one execution's runners share: the plan, the stores, the plugins, the limits, the node
/// records (as persisted), and where events go.
final class ExecutionContext: Sendable {
    let execution: ExecutionRecord
    let plan: CompiledSpec
    let host: PluginHost
    let store: any Store
    /// The store's one writer of node transitions (shared by every execution the engine drives).
    let commits: GroupCommitWriter
    let blobs: any BlobStore
    /// The per-attempt inputs/outputs copies of values too large to live only in the row, written in the
    /// background.
    let blobCopies: BlobCopyWriter
    let options: EngineOptions
    let limiter: AsyncLimiter
    let overall: AsyncLimiter
    let wakeups: Wakeups
    let events: @Sendable (EngineEvent) -> Void
    private let records: Mutex<[String: NodeRecord]>
    /// Nodes stopped because their state could not be stored or took an invalid transition.
    let stopped = StoppedNodes()
    /// What a node read, held until the node's next commit, which writes it in the same transaction.
    private let pendingLineage = Mutex<[String: [LineageEdge]]>([:])
    /// Per node, the write `durable` waits for: the latest, or once the node is terminal, its first terminal
    /// write (what ends it; a later one only clears a mark). Forgotten once durable.
    private let tickets = Mutex(Tickets())
    /// Each task's template in canonical bytes by task name, written once: every call's task context holds it.
    /// (A name two different templates share in the plan, through aliases, is left out.)
    let templates: [String: [UInt8]]
    /// Where a chain's synchronous calls are marked in flight (nil: the store is not on this machine).
    let journal: CallJournal?
    /// The calls a host before this one died in, by the journal, of nodes with no record stored since: the
    /// attempt, by node path.
    private let diedInCalls: [String: Int]
    /// The blob URI of this execution's attempts' directories (see attemptURI); nil when the store refused it.
    private let attemptsURI: String?

    private struct Tickets {
        var byNode: [String: (ticket: GroupCommitWriter.Ticket, terminal: Bool)] = [:]
        var sincePrune = 0
    }

    init(
        execution: ExecutionRecord, plan: CompiledSpec, host: PluginHost, store: any Store, commits: GroupCommitWriter,
        blobs: any BlobStore, options: EngineOptions, overall: AsyncLimiter, wakeups: Wakeups, existing: [NodeRecord],
        events: @escaping @Sendable (EngineEvent) -> Void
    ) {
        self.execution = execution
        self.plan = plan
        self.host = host
        self.store = store
        self.commits = commits
        self.blobs = blobs
        self.blobCopies = BlobCopyWriter(blobs: blobs, inlineLimit: options.inlineValueLimit)
        self.options = options
        self.limiter = AsyncLimiter(limit: options.parallelism)
        self.overall = overall
        self.wakeups = wakeups
        self.events = events
        self.records = Mutex(Dictionary(existing.map { ($0.node, $0) }, uniquingKeysWith: { _, b in b }))
        templates = Self.templates(of: plan)
        journal = store.callJournalRoot.map { CallJournal(root: $0, execution: execution.id) }
        let stored = Set(existing.map(\.node))
        diedInCalls = journal?.diedIn.filter { !stored.contains($0.key) } ?? [:]
        attemptsURI = try? blobs.uri(
            LocalBlobStore.executionPath(project: execution.project, domain: execution.domain, execution: execution.id))
    }

    private static func templates(of plan: CompiledSpec) -> [String: [UInt8]] {
        var byName: [String: [UInt8]] = [:]
        var shared = Set<String>()
        for task in plan.tasks.values {
            let bytes = TaskContext.encodedTemplate(task.template)
            if let held = byName[task.name], held != bytes { shared.insert(task.name) }
            byName[task.name] = bytes
        }
        return byName.filter { !shared.contains($0.key) }
    }

    func record(_ path: String) -> NodeRecord? { records.withLock { $0[path] } }

    /// The attempt whose call the journal says a host before this one died in, for a node with no record
    /// stored since (see CallJournal).
    func diedInCall(_ path: String) -> Int? { diedInCalls.isEmpty ? nil : diedInCalls[path] }

    /// Queues the record for the store's next group commit (see GroupCommitWriter), with the lineage the node
    /// read, and remembers it; does not wait. Whoever must not act before the record is durable (a plugin call
    /// it announces, anything outside the process seeing a result) waits with `durable` first. A node that
    /// ends in this run is forgotten (its runner returns its record; nothing looks it up again), so memory holds
    /// the nodes in flight, not every node of a 100,000-item map. `committedByCaller`: the caller commits it
    /// itself on a host-owned thread (`durableNow`), so the group-commit writer's queue is not woken for it.
    @discardableResult
    func persist(_ r: NodeRecord, committedByCaller: Bool = false) throws -> GroupCommitWriter.Ticket {
        var r = r
        r.updatedAt = Date()
        let lineage = pendingLineage.withLock { $0.removeValue(forKey: r.node) } ?? []
        let ticket = commits.enqueue(r, lineage: lineage, committedByCaller: committedByCaller)
        let due = tickets.withLock { t in
            Self.hold(ticket, of: r, in: &t)
            return Self.pruneDue(&t, after: 1)
        }
        if let due { prune(due) }
        records.withLock { $0[r.node] = r.state.phase.isTerminal ? nil : r }
        return ticket
    }

    /// A synchronous chain's end, made and stamped on the plugin's thread (SyncChainRun), to the store's writer;
    /// does not wait. Unlike `persist`, nothing is kept here for it: no ticket (the chain waits for its last
    /// end's: batches commit in order), no record (an ended node is not looked up, and a link's mark was never
    /// stored), no noted lineage (a link carries its own): four locks and as many hashes a node fewer, on the
    /// thread a chain's speed is. `onSettled`: see GroupCommitWriter.enqueue.
    func handOff(
        _ r: NodeRecord, lineage: [LineageEdge], onSettled: @escaping @Sendable (String?) -> Void
    ) -> GroupCommitWriter.Ticket {
        commits.enqueue(r, lineage: lineage, onSettled: onSettled)
    }

    /// `persist` for several records at once (a map's batch of items): each lock is taken once for them all.
    /// (The one-record path above stays apart: a chain persists several times a node, and arrays cost there.)
    @discardableResult
    func persist(all rs: [NodeRecord], committedByCaller: Bool = false) throws -> [GroupCommitWriter.Ticket] {
        let lineage = pendingLineage.withLock { pending in rs.map { pending.removeValue(forKey: $0.node) ?? [] } }
        // Stamped in the writer's own copies: stamping these would copy the array and every record in it.
        let held = commits.enqueue(all: rs, lineage: lineage, at: Date(), committedByCaller: committedByCaller)
        let due = tickets.withLock { t in
            for (r, ticket) in zip(rs, held) { Self.hold(ticket, of: r, in: &t) }
            return Self.pruneDue(&t, after: rs.count)
        }
        if let due { prune(due) }
        records.withLock { records in
            for r in rs { records[r.node] = r.state.phase.isTerminal ? nil : r }
        }
        return held
    }

    /// The ticket `durable` waits for: the latest write, or once the node is terminal, its first terminal write.
    private static func hold(_ ticket: GroupCommitWriter.Ticket, of r: NodeRecord, in t: inout Tickets) {
        let terminal = r.state.phase.isTerminal
        if !(terminal && t.byNode[r.node]?.terminal == true) { t.byNode[r.node] = (ticket, terminal) }
    }

    /// Every 1,024 writes: the tickets held, to forget the durable ones (`prune`).
    private static func pruneDue(_ t: inout Tickets, after writes: Int) -> [GroupCommitWriter.Ticket]? {
        t.sincePrune += writes
        guard t.sincePrune >= 1024 else { return nil }
        t.sincePrune = 0
        return t.byNode.values.map(\.ticket)
    }

    /// Forgets the durable ones among `held`: the writer's lock is taken once for them all, and not while this
    /// context's lock is held (per ticket, with thousands of a map's items held, it was most of a map's locking).
    private func prune(_ held: [GroupCommitWriter.Ticket]) {
        let durable = commits.durable(among: held)
        tickets.withLock { t in t.byNode = t.byNode.filter { !durable.contains($0.value.ticket) } }
    }

    /// Returns when the node's last write (for an ended node: the write that ended it) is durable. A write
    /// the store refused stops the node: false.
    func durable(_ path: String) async -> Bool {
        guard let ticket = tickets.withLock({ $0.byNode[path]?.ticket }) else { return true }
        return settled(path, ticket, refused: await commits.wait(ticket))
    }

    /// `durable` for a host-owned thread (a plugin's pool thread), which commits the batch itself
    /// (GroupCommitWriter.commitNow) instead of waiting for the writer's queue. Never from async code.
    func durableNow(_ path: String) -> Bool {
        guard let ticket = tickets.withLock({ $0.byNode[path]?.ticket }) else { return true }
        return settled(path, ticket, refused: commits.commitNow(ticket))
    }

    /// `durableNow` for several nodes at once: one commit (or none, when theirs are settled) for them all.
    func durableNow(all paths: [String]) -> [Bool] {
        let held = tickets.withLock { t in paths.map { t.byNode[$0]?.ticket } }
        var outcomes = commits.commitNow(all: held.compactMap { $0 }).makeIterator()
        let refused = held.map { ticket in ticket == nil ? nil : outcomes.next() ?? nil }
        for (path, why) in zip(paths, refused) {
            if let why { stop(path, because: "cannot persist its state: \(why)") }
        }
        tickets.withLock { t in
            for (path, (ticket, why)) in zip(paths, zip(held, refused)) where why == nil {
                if let ticket { Self.forgetSettled(path, ticket, in: &t) }
            }
        }
        return refused.map { $0 == nil }
    }

    private func settled(_ path: String, _ ticket: GroupCommitWriter.Ticket, refused: String?) -> Bool {
        if let refused {
            stop(path, because: "cannot persist its state: \(refused)")
            return false
        }
        tickets.withLock { Self.forgetSettled(path, ticket, in: &$0) }
        return true
    }

    /// A settled write is no longer waited for. An ended node's entry stays until pruned: the write clearing
    /// its last mark must not be waited for.
    private static func forgetSettled(_ path: String, _ ticket: GroupCommitWriter.Ticket, in t: inout Tickets) {
        if let held = t.byNode[path], held.ticket == ticket, !held.terminal { t.byNode[path] = nil }
    }

    /// Lineage of the node at `path`, written with its next commit.
    func recordLineage(_ edges: [LineageEdge], at path: String) {
        guard !edges.isEmpty else { return }
        pendingLineage.withLock { $0[path, default: []] += edges }
    }

    var logger: Logger { host.services.logger }

    func identity(_ path: String, attempt: Int) -> ExecutionIdentity {
        ExecutionIdentity(
            project: execution.project, domain: execution.domain, execution: execution.id, node: path, attempt: attempt)
    }

    func attemptURI(_ path: String, attempt: Int, file: String) throws -> String {
        let subpath = LocalBlobStore.attemptSubpath(node: path, attempt: attempt) + "/" + file
        // The execution's URI is checked once (a map's items need no check each): the components appended to it
        // cannot climb out (safeComponent: no `/`, no leading `.`), and every blob store's uri is its root
        // followed by the path as given.
        if let attemptsURI { return attemptsURI + "/" + subpath }
        return try blobs.uri(
            LocalBlobStore.executionPath(project: execution.project, domain: execution.domain, execution: execution.id)
                + "/" + subpath)
    }
}
