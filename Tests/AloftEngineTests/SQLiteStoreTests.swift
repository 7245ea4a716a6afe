import AloftEngine
import AloftWire
import Foundation
import PluginHost
import Synchronization
import Testing

@Suite struct SQLiteStoreTests {
    func temporaryStorePath() -> String {
        NSTemporaryDirectory() + "aloft-store-\(UUID())/metadata.sqlite"
    }

    @Test func executionsAndNodesRoundTripAcrossReopen() throws {
        let path = temporaryStorePath()
        do {
            let store = try SQLiteMetadataStore(path: path)
            try store.createExecution(ExecutionRecord(id: "ex1", project: "p", domain: "development", workflow: "wf", spec: [1, 2, 3],
                                                      inputs: ["n": .integer(3)]))
            var state = NodeState(budget: RetryBudget(user: 1))
            _ = try state.apply(.start)
            try store.commit([
                NodeRecord(execution: "ex1", node: "a", state: state, pluginID: "aloft.echo", taskExecutionID: "ex1-a-0-abc",
                           resourceState: Array("1700000000000".utf8), inputs: ["n": .integer(3)]),
                NodeRecord(execution: "ex1", node: "b", state: NodeState(budget: RetryBudget(user: 0))),
            ])
            _ = try state.apply(.attemptSucceeded)
            try store.commit([NodeRecord(execution: "ex1", node: "a", state: state, outputs: ["n": .integer(3)])])
            try store.finishExecution(id: "ex1", phase: .succeeded, outputs: ["n": .integer(3)], error: nil)
        }
        // A new process opens the same file: everything committed is there.
        let reopened = try SQLiteMetadataStore(path: path)
        let e = try #require(try reopened.execution(id: "ex1"))
        #expect(e.phase == .succeeded && e.outputs == ["n": .integer(3)] && e.spec == [1, 2, 3] && e.inputs == ["n": .integer(3)])
        let nodes = try reopened.nodes(execution: "ex1")
        #expect(nodes.map(\.node) == ["a", "b"])
        #expect(nodes[0].state.phase == .succeeded)
        #expect(nodes[0].outputs == ["n": .integer(3)])
        #expect(nodes[0].resourceState == nil)  // the upsert replaced the whole record
        #expect(nodes[1].state.phase == .queued)
        #expect(try reopened.execution(id: "nope") == nil)
    }

    @Test func listsNewestFirstWithinScope() throws {
        let store = try SQLiteMetadataStore(path: temporaryStorePath())
        for (i, project) in ["a", "b", "a"].enumerated() {
            try store.createExecution(ExecutionRecord(id: "e\(i)", project: project, domain: "development", workflow: "w", spec: [], inputs: [:],
                                                      createdAt: Date(timeIntervalSince1970: Double(1000 + i))))
        }
        #expect(try store.executions(project: "a", domain: nil, limit: 10).map(\.id) == ["e2", "e0"])
        #expect(try store.executions(project: nil, domain: "development", limit: 2).map(\.id) == ["e2", "e1"])
    }

    /// Two commands opening a new store at once used to both create the tables ("table executions already
    /// exists"): the migration now runs in one write transaction that re-reads the version.
    @Test func openersOfANewStoreAtOnceTakeTurnsMigrating() throws {
        for _ in 0..<5 {
            let path = NSTemporaryDirectory() + "aloft-race-\(UUID())/metadata.sqlite"
            let errors = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do { _ = try SQLiteMetadataStore(path: path) } catch { errors.withLock { $0.append("\(error)") } }
            }
            #expect(errors.withLock { $0 } == [])
            #expect(try SQLiteMetadataStore(path: path).executions(project: nil, domain: nil, limit: 1).isEmpty)
        }
    }

    @Test func refusesAStoreFromANewerAloft() throws {
        let path = temporaryStorePath()
        _ = try SQLiteMetadataStore(path: path)
        // Simulate a newer Aloft having migrated the file further.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('INSERT INTO schema_migrations VALUES (99, 0)'); c.commit()", path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        do {
            _ = try SQLiteMetadataStore(path: path)
            Issue.record("a newer schema was accepted")
        } catch let e as StoreError {
            #expect(e.description.hasSuffix("the store's schema is version 99, newer than this Aloft supports (4); upgrade Aloft"))
        }
    }
}
