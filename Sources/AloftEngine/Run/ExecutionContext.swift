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
    let blobs: any BlobStore
    /// The per-attempt inputs/outputs copies, written in the background.
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

    init(
        execution: ExecutionRecord, plan: CompiledSpec, host: PluginHost, store: any Store, blobs: any BlobStore,
        options: EngineOptions, overall: AsyncLimiter, wakeups: Wakeups, existing: [NodeRecord],
        events: @escaping @Sendable (EngineEvent) -> Void
    ) {
        self.execution = execution
        self.plan = plan
        self.host = host
        self.store = store
        self.blobs = blobs
        self.blobCopies = BlobCopyWriter(blobs: blobs)
        self.options = options
        self.limiter = AsyncLimiter(limit: options.parallelism)
        self.overall = overall
        self.wakeups = wakeups
        self.events = events
        self.records = Mutex(Dictionary(existing.map { ($0.node, $0) }, uniquingKeysWith: { _, b in b }))
    }

    func record(_ path: String) -> NodeRecord? { records.withLock { $0[path] } }

    /// Commits the record, then remembers it: nothing is acted on before it is durable. A node that ends in
    /// this run is forgotten (its runner returns its record; nothing looks it up again), so memory holds the
    /// nodes in flight, not every node of a 100,000-item map.
    func persist(_ r: NodeRecord) throws {
        var r = r
        r.updatedAt = Date()
        let lineage = pendingLineage.withLock { $0.removeValue(forKey: r.node) } ?? []
        do { try store.commit([r], lineage: lineage) } catch {
            if !lineage.isEmpty { pendingLineage.withLock { $0[r.node, default: []] += lineage } }
            throw error
        }
        records.withLock { $0[r.node] = r.state.phase.isTerminal ? nil : r }
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
        try blobs.uri(
            LocalBlobStore.attemptPath(
                project: execution.project, domain: execution.domain, execution: execution.id,
                node: path, attempt: attempt) + "/" + file)
    }
}
