import AloftEngine
import AloftWire
import Foundation
import Testing

/// The parts of the store contract the other store tests do not reach directly (cache, reservations,
/// lineage, abort requests, labels), on every store.
@Suite(.timeLimit(.minutes(5))) struct StoreContractTests {
    @Test(arguments: StoreKind.all) func cacheEntriesAndReservations(kind: StoreKind) throws {
        let store = try kind.store("cache")
        let producer = CacheEntry.Producer(execution: "e", node: "n", attempt: 1, taskVersion: "v1")
        for (i, task) in ["t1", "t1", "t2"].enumerated() {
            try store.putCacheEntry(
                CacheEntry(
                    key: "k\(i)", project: "p", domain: "development", task: task, cacheVersion: "1",
                    interfaceHash: "i", inputsHash: "h\(i)", outputs: ["x": .integer(Int64(i))], producer: producer,
                    createdAt: Date(timeIntervalSince1970: Double(1000 + i))))
        }
        #expect(try store.cacheEntry(key: "k1")?.outputs == ["x": .integer(1)])
        #expect(try store.cacheEntry(key: "k1")?.producer == producer)
        #expect(try store.cacheEntry(key: "nope") == nil)
        #expect(try store.cacheEntries(project: "p", domain: nil, task: "t1").map(\.key) == ["k1", "k0"])
        #expect(try store.clearCache(project: "p", domain: "development", task: "t1") == 2)
        #expect(try store.cacheEntries(project: nil, domain: nil, task: nil).map(\.key) == ["k2"])

        let later = Date().addingTimeInterval(60)
        #expect(try store.reserve(key: "k", owner: "a", until: later) == nil)
        #expect(try store.reserve(key: "k", owner: "a", until: later) == nil)  // the owner's again
        #expect(try store.reserve(key: "k", owner: "b", until: later) == "a")
        try store.release(key: "k", owner: "a")
        #expect(try store.reserve(key: "k", owner: "b", until: Date().addingTimeInterval(-1)) == nil)
        #expect(try store.reserve(key: "k", owner: "c", until: later) == nil)  // b's expired
    }

    @Test(arguments: StoreKind.all) func lineageBothWaysAndWithANodesCommit(kind: StoreKind) throws {
        let store = try kind.store("lineage")
        try store.createExecution(
            ExecutionRecord(id: "e2", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
        let edges = [
            LineageEdge(
                execution: "e2", node: "b", input: "y", sourceExecution: "e1", sourceNode: "a", sourceOutput: "o"),
            LineageEdge(
                execution: "e2", node: "b", input: "x", sourceExecution: "e1", sourceNode: "a", sourceOutput: "o"),
        ]
        try store.commit(
            [NodeRecord(execution: "e2", node: "b", state: NodeState(budget: RetryBudget(user: 0)))],
            lineage: edges)
        try store.recordLineage([edges[0]])  // again: nothing new
        #expect(try store.lineage(execution: "e2", node: "b").upstream.map(\.input) == ["x", "y"])
        #expect(try store.lineage(execution: "e1", node: "a").downstream.count == 2)
        #expect(try store.lineage(execution: "e1", node: "a").upstream.isEmpty)
    }

    @Test(arguments: StoreKind.all) func abortRequestsLabelsAndBytes(kind: StoreKind) throws {
        let store = try kind.store("abort")
        let spec: [UInt8] = Array(0...255) + [0, 0, 92, 120]
        try store.createExecution(
            ExecutionRecord(
                id: "e", project: "p", domain: "development", workflow: "w", spec: spec, inputs: ["s": .string("é\\x")],
                launchedFrom: "workflow w@1", labels: ["team": "data"]))
        #expect(try !store.abortRequested(id: "e"))
        try store.requestAbort(id: "e")
        #expect(try store.abortRequested(id: "e"))
        #expect(try !store.abortRequested(id: "nope"))
        let e = try #require(try store.execution(id: "e"))
        #expect(e.spec == spec && e.inputs == ["s": .string("é\\x")] && e.labels == ["team": "data"])
        #expect(e.launchedFrom == "workflow w@1" && e.damage == nil)
        var state = NodeState(budget: RetryBudget(user: 0))
        _ = try state.apply(.start)
        try store.commit([
            NodeRecord(
                execution: "e", node: "n", state: state, resourceState: [0, 1, 2, 255],
                logLinks: [LogLinkRecord(name: "logs", uri: "file:///x")])
        ])
        let n = try #require(try store.nodes(execution: "e").first)
        #expect(n.resourceState == [0, 1, 2, 255] && n.logLinks == [LogLinkRecord(name: "logs", uri: "file:///x")])
        try store.finishExecution(id: "e", phase: .aborted, outputs: nil, error: "aborted by request")
        #expect(try store.execution(id: "e")?.phase == .aborted)
    }

    /// A node's start is stored the first time it is stored running and kept by later records (the console's
    /// timeline); a queued node has none.
    @Test(arguments: StoreKind.all) func aNodesStartIsItsFirstRunningRecord(kind: StoreKind) throws {
        let store = try kind.store("started")
        try store.createExecution(
            ExecutionRecord(id: "e", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
        var state = NodeState(budget: RetryBudget(user: 0))
        let at = { (s: Double) in Date(timeIntervalSince1970: 1_000_000 + s) }
        try store.commit([NodeRecord(execution: "e", node: "n", state: state, updatedAt: at(0))])
        #expect(try store.nodes(execution: "e").first?.startedAt == nil)
        _ = try state.apply(.start)
        try store.commit([NodeRecord(execution: "e", node: "n", state: state, updatedAt: at(5))])
        try store.commit([NodeRecord(execution: "e", node: "n", state: state, updatedAt: at(7))])
        _ = try state.apply(.attemptSucceeded)
        try store.commit([NodeRecord(execution: "e", node: "n", state: state, updatedAt: at(9))])
        let n = try #require(try store.nodes(execution: "e").first)
        #expect(n.startedAt == at(5) && n.updatedAt == at(9) && n.state.phase == .succeeded)
    }
}
