import AloftEngine
import AloftWire
import Foundation
import Synchronization

/// A store that counts the node transitions (node records committed) written through it and forwards
/// everything to the real one: what `aloft-bench transitions` divides by the elapsed time.
final class CountingStore: Store {
    let base: any Store
    private let count = Atomic<Int>(0)

    init(_ base: any Store) { self.base = base }

    var transitions: Int { count.load(ordering: .relaxed) }

    func commit(_ nodes: [NodeRecord], lineage: [LineageEdge], heldBy: [String: LeaseHolder]) throws {
        try base.commit(nodes, lineage: lineage, heldBy: heldBy)
        count.add(nodes.count, ordering: .relaxed)
    }

    func createExecution(_ execution: ExecutionRecord) throws { try base.createExecution(execution) }
    func execution(id: String) throws -> ExecutionRecord? { try base.execution(id: id) }
    func executions(project: String?, domain: String?, limit: Int) throws -> [ExecutionRecord] {
        try base.executions(project: project, domain: domain, limit: limit)
    }
    func finishExecution(
        id: String, phase: ExecutionRecord.Phase, outputs: LiteralMap?, error: String?, heldBy holder: LeaseHolder?
    ) throws {
        try base.finishExecution(id: id, phase: phase, outputs: outputs, error: error, heldBy: holder)
    }
    func nodes(execution: String) throws -> [NodeRecord] { try base.nodes(execution: execution) }
    func requestAbort(id: String) throws { try base.requestAbort(id: id) }
    func abortRequested(id: String) throws -> Bool { try base.abortRequested(id: id) }
    func cacheEntry(key: String) throws -> CacheEntry? { try base.cacheEntry(key: key) }
    func putCacheEntry(_ entry: CacheEntry) throws { try base.putCacheEntry(entry) }
    func cacheEntries(project: String?, domain: String?, task: String?) throws -> [CacheEntry] {
        try base.cacheEntries(project: project, domain: domain, task: task)
    }
    func clearCache(project: String?, domain: String?, task: String?) throws -> Int {
        try base.clearCache(project: project, domain: domain, task: task)
    }
    func reserve(key: String, owner: String, until: Date) throws -> String? {
        try base.reserve(key: key, owner: owner, until: until)
    }
    func release(key: String, owner: String) throws { try base.release(key: key, owner: owner) }
    func recordLineage(_ edges: [LineageEdge]) throws { try base.recordLineage(edges) }
    func lineage(execution: String, node: String) throws -> (upstream: [LineageEdge], downstream: [LineageEdge]) {
        try base.lineage(execution: execution, node: node)
    }
    func acquireLease(_ name: String, holder: LeaseHolder, until: Date) throws -> LeaseRecord? {
        try base.acquireLease(name, holder: holder, until: until)
    }
    func renewLease(_ name: String, holder: LeaseHolder, until: Date) throws -> Bool {
        try base.renewLease(name, holder: holder, until: until)
    }
    func releaseLease(_ name: String, holder: LeaseHolder) throws { try base.releaseLease(name, holder: holder) }
    func lease(_ name: String) throws -> LeaseRecord? { try base.lease(name) }
    func leases(_ names: [String]) throws -> [LeaseRecord] { try base.leases(names) }
}
