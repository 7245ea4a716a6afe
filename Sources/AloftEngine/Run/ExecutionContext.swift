import AloftCompiler
import AloftWire
import Foundation
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
        attemptsURI = try? blobs.uri(
            LocalBlobStore.executionPath(project: execution.project, domain: execution.domain, execution: execution.id))
    }

    func record(_ path: String) -> NodeRecord? { records.withLock { $0[path] } }

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
        let terminal = r.state.phase.isTerminal
        let prune = tickets.withLock { t -> [GroupCommitWriter.Ticket]? in
            if !(terminal && t.byNode[r.node]?.terminal == true) { t.byNode[r.node] = (ticket, terminal) }
            t.sincePrune += 1
            guard t.sincePrune >= 1024 else { return nil }
            t.sincePrune = 0
            return t.byNode.values.map(\.ticket)
        }
        if let prune {
            // The writer's lock is taken once for them all, and not while this context's lock is held.
            let durable = commits.durable(among: prune)
            tickets.withLock { t in t.byNode = t.byNode.filter { !durable.contains($0.value.ticket) } }
        }
        records.withLock { $0[r.node] = terminal ? nil : r }
        return ticket
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

    private func settled(_ path: String, _ ticket: GroupCommitWriter.Ticket, refused: String?) -> Bool {
        if let refused {
            stop(path, because: "cannot persist its state: \(refused)")
            return false
        }
        // An ended node's entry stays until pruned: the write clearing its last mark must not be waited for.
        tickets.withLock { t in
            if let held = t.byNode[path], held.ticket == ticket, !held.terminal { t.byNode[path] = nil }
        }
        return true
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
