import AloftEngine
import AloftWire
import Foundation

/// SQLite with a hook before each node commit, each cache reservation and each lease taken: a test makes the
/// store fail, or makes another host's write land, at exactly that point.
final class HookedStore: Store {
    let inner: SQLiteMetadataStore
    let beforeCommit: @Sendable ([NodeRecord]) throws -> Void
    let beforeReserve: @Sendable (_ key: String) throws -> Void
    let beforeAcquire: @Sendable (_ lease: String) throws -> Void

    init(
        _ inner: SQLiteMetadataStore, beforeCommit: @escaping @Sendable ([NodeRecord]) throws -> Void = { _ in },
        beforeReserve: @escaping @Sendable (_ key: String) throws -> Void = { _ in },
        beforeAcquire: @escaping @Sendable (_ lease: String) throws -> Void = { _ in }
    ) {
        self.inner = inner
        self.beforeCommit = beforeCommit
        self.beforeReserve = beforeReserve
        self.beforeAcquire = beforeAcquire
    }

    func createExecution(_ execution: ExecutionRecord) throws { try inner.createExecution(execution) }
    func execution(id: String) throws -> ExecutionRecord? { try inner.execution(id: id) }
    func executions(project: String?, domain: String?, limit: Int) throws -> [ExecutionRecord] {
        try inner.executions(project: project, domain: domain, limit: limit)
    }
    func finishExecution(
        id: String, phase: ExecutionRecord.Phase, outputs: LiteralMap?, error: String?, heldBy holder: LeaseHolder?
    ) throws {
        try inner.finishExecution(id: id, phase: phase, outputs: outputs, error: error, heldBy: holder)
    }
    func nodes(execution: String) throws -> [NodeRecord] { try inner.nodes(execution: execution) }
    func commit(_ nodes: [NodeRecord], lineage: [LineageEdge], heldBy: [String: LeaseHolder]) throws {
        try beforeCommit(nodes)
        try inner.commit(nodes, lineage: lineage, heldBy: heldBy)
    }
    func requestAbort(id: String) throws { try inner.requestAbort(id: id) }
    func abortRequested(id: String) throws -> Bool { try inner.abortRequested(id: id) }
    func cacheEntry(key: String) throws -> CacheEntry? { try inner.cacheEntry(key: key) }
    func putCacheEntry(_ entry: CacheEntry) throws { try inner.putCacheEntry(entry) }
    func cacheEntries(project: String?, domain: String?, task: String?) throws -> [CacheEntry] {
        try inner.cacheEntries(project: project, domain: domain, task: task)
    }
    func clearCache(project: String?, domain: String?, task: String?) throws -> Int {
        try inner.clearCache(project: project, domain: domain, task: task)
    }
    func reserve(key: String, owner: String, until: Date) throws -> String? {
        try beforeReserve(key)
        return try inner.reserve(key: key, owner: owner, until: until)
    }
    func release(key: String, owner: String) throws { try inner.release(key: key, owner: owner) }
    func recordLineage(_ edges: [LineageEdge]) throws { try inner.recordLineage(edges) }
    func lineage(execution: String, node: String) throws -> (upstream: [LineageEdge], downstream: [LineageEdge]) {
        try inner.lineage(execution: execution, node: node)
    }
    func acquireLease(_ name: String, holder: LeaseHolder, until: Date) throws -> LeaseRecord? {
        try beforeAcquire(name)
        return try inner.acquireLease(name, holder: holder, until: until)
    }
    func renewLease(_ name: String, holder: LeaseHolder, until: Date) throws -> Bool {
        try inner.renewLease(name, holder: holder, until: until)
    }
    func releaseLease(_ name: String, holder: LeaseHolder) throws { try inner.releaseLease(name, holder: holder) }
    func lease(_ name: String) throws -> LeaseRecord? { try inner.lease(name) }
    func leases(_ names: [String]) throws -> [LeaseRecord] { try inner.leases(names) }
}
