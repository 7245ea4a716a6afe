import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Synchronization
import Testing

@testable import AloftEngine

/// What only the PostgreSQL store has: its server's errors, its migrations shared between openers, the group
/// commit in one transaction, and the engine running on it (the rest of the store's tests run on both
/// stores, see StoreKind).
@Suite(.timeLimit(.minutes(5)), .enabled(if: PostgresPeer.available)) struct PostgresStoreTests {
    @Test func aWrongPasswordIsOneClearErrorWithoutThePassword() throws {
        let peer = try PostgresPeer.require()
        let secret = "not-the-password-\(UUID().uuidString.prefix(6))"
        do {
            _ = try PostgresStore(url: peer.url(database: "postgres"), password: secret)
            Issue.record("a wrong password was accepted")
        } catch {
            let text = "\(error)"
            #expect(
                text.hasPrefix("cannot connect to postgres://postgres@127.0.0.1:\(peer.port)/postgres: "), "\(text)")
            #expect(text.contains("password authentication failed"), "\(text)")
            #expect(!text.contains(secret) && !text.contains("\n"), "\(text)")
        }
        // A password in the URL is never shown either.
        do {
            _ = try PostgresStore(url: "postgres://postgres:\(secret)@127.0.0.1:\(peer.port)/postgres")
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(!"\(error)".contains(secret), "\(error)")
            #expect("\(error)".contains("postgres://postgres@127.0.0.1:\(peer.port)/postgres"), "\(error)")
        }
    }

    @Test func anUnreachableServerIsOneClearErrorAtOnce() throws {
        let port = PostgresPeer.freePort()
        let started = ContinuousClock.now
        do {
            _ = try PostgresStore(url: "postgres://aloft@127.0.0.1:\(port)/aloft", password: "s3cret-pw")
            Issue.record("nobody listens there")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("cannot connect to postgres://aloft@127.0.0.1:\(port)/aloft: "), "\(text)")
            #expect(text.contains("Connection refused") && !text.contains("s3cret-pw") && !text.contains("\n"))
        }
        #expect(ContinuousClock.now - started < .seconds(5))  // no retries
    }

    @Test func aSchemaFromANewerAloftIsRefused() throws {
        let peer = try PostgresPeer.require()
        let url = try peer.createDatabase()
        _ = try PostgresStore(url: url, password: peer.password)
        try peer.psql(
            "INSERT INTO schema_migrations VALUES (99, 0)", database: String(url.split(separator: "/").last ?? ""))
        do {
            _ = try PostgresStore(url: url, password: peer.password)
            Issue.record("a newer schema was accepted")
        } catch let e as StoreError {
            #expect(
                e.description
                    == "\(url): the store's schema is version 99, newer than this Aloft supports (\(PostgresStore.schemaVersion)); upgrade Aloft"
            )
        }
    }

    @Test func openersOfANewDatabaseAtOnceTakeTurnsMigrating() throws {
        let peer = try PostgresPeer.require()
        let url = try peer.createDatabase()
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do { _ = try PostgresStore(url: url, password: peer.password) } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        #expect(errors.withLock { $0 } == [])
        #expect(try PostgresStore(url: url, password: peer.password).projects().map(\.id) == ["default"])
    }

    /// A batch is one transaction: a refused node (its execution does not exist) takes the whole batch back,
    /// and the group commit writer then commits the others one by one.
    @Test func aBatchCommitsInOneTransaction() async throws {
        let store = try StoreKind.postgres.store()
        try store.createExecution(
            ExecutionRecord(id: "e", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
        let good = NodeRecord(execution: "e", node: "a", state: NodeState(budget: RetryBudget(user: 0)))
        let orphan = NodeRecord(execution: "missing", node: "b", state: NodeState(budget: RetryBudget(user: 0)))
        #expect(throws: (any Error).self) { try store.commit([good, orphan]) }
        #expect(try store.nodes(execution: "e").isEmpty)
        let writer = GroupCommitWriter(store: store)
        let tickets = [writer.enqueue(good), writer.enqueue(orphan)]
        let outcomes = await [writer.wait(tickets[0]), writer.wait(tickets[1])]
        #expect(outcomes[0] == nil && outcomes[1] != nil)
        #expect(try store.nodes(execution: "e").map(\.node) == ["a"])
    }

    /// A batch larger than one upsert (64 rows), with a node written twice, keeps every node and each one's
    /// last record.
    @Test func aBatchOfManyNodesKeepsEachNodesLastRecord() throws {
        let store = try StoreKind.postgres.store()
        try store.createExecution(
            ExecutionRecord(id: "e", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
        func node(_ name: String, _ message: String) -> NodeRecord {
            NodeRecord(
                execution: "e", node: name, state: NodeState(budget: RetryBudget(user: 0)), statusMessage: message)
        }
        let batch = [node("a", "first")] + (0..<150).map { node("n\($0)", "only") } + [node("a", "last")]
        try store.commit(batch)
        let stored = try store.nodes(execution: "e")
        #expect(stored.count == 151)
        #expect(stored.first { $0.node == "a" }?.statusMessage == "last")
        #expect(stored.filter { $0.node != "a" }.allSatisfy { $0.statusMessage == "only" })
    }

    /// The engine drives a workflow of C echo tasks on PostgreSQL: a chain and a map, every node stored.
    @Test func theEngineRunsAWorkflowOnPostgres() async throws {
        let h = try await EngineTests.harness(store: .postgres)
        defer { h.host.shutdown() }
        let started = ContinuousClock.now
        let e = try await h.run(
            """
            tasks:
              t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
            workflows:
              w:
                inputs: {xs: "list<integer>"}
                outputs: {x: {type: integer, from: $b.x}}
                nodes:
                  - {id: a, task: t, inputs: {x: 1}}
                  - {id: b, task: t, inputs: {x: $a.x}}
                  - {id: m, map: {task: t, over: {x: $inputs.xs}}}
            """, workflow: "w", inputs: ["xs": .list((0..<200).map { .integer(Int64($0)) })])
        let elapsed = ContinuousClock.now - started
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(e.outputs == ["x": .integer(1)])
        let nodes = try h.store.nodes(execution: e.id)
        #expect(nodes.count > 200, "\(nodes.map(\.node))")
        #expect(nodes.allSatisfy { $0.state.phase == .succeeded })
        print("PostgresStoreTests: \(nodes.count) nodes in \(elapsed)")
    }
}
