import AloftEngine
import AloftWire
import Foundation
import PluginHost
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(5))) struct SQLiteStoreTests {
    func temporaryStorePath() -> String {
        NSTemporaryDirectory() + "aloft-store-\(UUID())/metadata.sqlite"
    }

    /// Nodes `n<batch>-0`... of execution ex1, each with an output of about 1 KB: what the log tests write.
    static func filledNodes(batch: Int, count: Int) -> [NodeRecord] {
        let filler = Literal.string(String(repeating: "x", count: 1000))
        return (0..<count).map { k in
            NodeRecord(
                execution: "ex1", node: "n\(batch)-\(k)", state: NodeState(budget: RetryBudget(user: 0)),
                outputs: ["s": filler])
        }
    }

    @Test(arguments: StoreKind.all) func executionsAndNodesRoundTripAcrossReopen(kind: StoreKind) throws {
        let location = try kind.location()
        do {
            let store = try location.open()
            try store.createExecution(
                ExecutionRecord(
                    id: "ex1", project: "p", domain: "development", workflow: "wf", spec: [1, 2, 3],
                    inputs: ["n": .integer(3)]))
            var state = NodeState(budget: RetryBudget(user: 1))
            _ = try state.apply(.start)
            try store.commit([
                NodeRecord(
                    execution: "ex1", node: "a", state: state, pluginID: "aloft.echo", taskExecutionID: "ex1-a-0-abc",
                    resourceState: Array("1700000000000".utf8), inputs: ["n": .integer(3)]),
                NodeRecord(execution: "ex1", node: "b", state: NodeState(budget: RetryBudget(user: 0))),
            ])
            _ = try state.apply(.attemptSucceeded)
            try store.commit([NodeRecord(execution: "ex1", node: "a", state: state, outputs: ["n": .integer(3)])])
            try store.finishExecution(id: "ex1", phase: .succeeded, outputs: ["n": .integer(3)], error: nil)
        }
        // A new process opens the same store: everything committed is there.
        let reopened = try location.open()
        let e = try #require(try reopened.execution(id: "ex1"))
        #expect(
            e.phase == .succeeded && e.outputs == ["n": .integer(3)] && e.spec == [1, 2, 3]
                && e.inputs == ["n": .integer(3)])
        let nodes = try reopened.nodes(execution: "ex1")
        #expect(nodes.map(\.node) == ["a", "b"])
        #expect(nodes[0].state.phase == .succeeded)
        #expect(nodes[0].outputs == ["n": .integer(3)])
        #expect(nodes[0].resourceState == nil)  // the upsert replaced the whole record
        #expect(nodes[1].state.phase == .queued)
        #expect(try reopened.execution(id: "nope") == nil)
    }

    @Test(arguments: StoreKind.all) func listsNewestFirstWithinScope(kind: StoreKind) throws {
        let store = try kind.store()
        for (i, project) in ["a", "b", "a"].enumerated() {
            try store.createExecution(
                ExecutionRecord(
                    id: "e\(i)", project: project, domain: "development", workflow: "w", spec: [], inputs: [:],
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

    /// The log is checkpointed beside the commits (WALCheckpointer), and at its limit by the writer: 6 MB of rows
    /// end up in the store's file, the log's file stays under the limit (it would hold them all otherwise), and a
    /// reopened store has every node.
    @Test func theLogIsCheckpointedAndStaysBounded() throws {
        let path = temporaryStorePath()
        func size(_ file: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
        }
        do {
            let store = try SQLiteMetadataStore(path: path)
            try store.createExecution(
                ExecutionRecord(
                    id: "ex1", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
            var largestLog = 0
            for batch in 0..<60 {
                try store.commit(Self.filledNodes(batch: batch, count: 100))
                largestLog = max(largestLog, size(path + "-wal"))
            }
            #expect(size(path) > 4_000_000, "the rows were not checkpointed into the store's file")
            // At most the limit (1,024 pages of 4 KB and their headers) and one commit of about 100 KB.
            #expect(largestLog < 5_000_000, "the log grew to \(largestLog) bytes")
        }
        #expect(try SQLiteMetadataStore(path: path).nodes(execution: "ex1").count == 6_000)
    }

    /// A steady writer past the threshold gets one background checkpoint per `threshold` pages the log grew, not
    /// one per commit: asked at every commit, the thread checkpointed back to back (two syncs each), 34 syncs in
    /// one warm re-run of a 100-node cached chain.
    @Test func aSteadyWriterGetsOneCheckpointPerThresholdOfGrowth() throws {
        let path = temporaryStorePath()
        let store = try SQLiteMetadataStore(path: path)
        try store.createExecution(
            ExecutionRecord(id: "ex1", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
        for batch in 0..<150 {  // past the threshold (256 pages) a few times
            try store.commit(Self.filledNodes(batch: batch, count: 8))
            usleep(200)  // a chain's pace: the thread has time to finish a checkpoint before the next commit
        }
        let (begun, pages) = store.backgroundCheckpoints
        #expect(pages > 512, "the log took only \(pages) pages")
        #expect(begun >= 1 && begun <= pages / 256 + 1, "\(begun) background checkpoints for \(pages) pages logged")
    }

    /// A command that wrote a long log leaves it truncated (`finishing`), so the next command does not read it back.
    @Test func aLongLogIsTruncatedWhenTheCommandFinishes() throws {
        let path = temporaryStorePath()
        let store = try SQLiteMetadataStore(path: path)
        try store.createExecution(
            ExecutionRecord(id: "ex1", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
        for batch in 0..<25 {  // about 700 pages: past the close limit (512), short of the writer's (1,024)
            try store.commit(Self.filledNodes(batch: batch, count: 100))
        }
        let wal = path + "-wal"
        #expect(((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int ?? 0) > 2_000_000)
        store.finishing()
        #expect((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int == 0)
        #expect(try SQLiteMetadataStore(path: path).nodes(execution: "ex1").count == 2_500)
    }

    /// A store written before nodes and lineage were clustered by their keys (rowid tables, the last migration
    /// not applied) opens with every node and edge moved over, clustered, and goes on taking writes.
    @Test func aStoreFromBeforeTheClusteredTablesKeepsItsNodesAndLineage() throws {
        let path = temporaryStorePath()
        let edge = LineageEdge(
            execution: "ex1", node: "b", input: "x", sourceExecution: "ex1", sourceNode: "a", sourceOutput: "x")
        do {
            let store = try SQLiteMetadataStore(path: path)
            try store.createExecution(
                ExecutionRecord(
                    id: "ex1", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
            try store.commit(
                [
                    NodeRecord(
                        execution: "ex1", node: "a", state: NodeState(budget: RetryBudget(user: 2)),
                        taskExecutionID: "ex1-a-0-abc", outputs: ["x": .integer(7)]),
                    NodeRecord(execution: "ex1", node: "b", state: NodeState(budget: RetryBudget(user: 0))),
                ], lineage: [edge])
        }
        let columns = """
            execution_id TEXT NOT NULL REFERENCES executions (id), node_id TEXT NOT NULL, state TEXT NOT NULL,
            phase TEXT NOT NULL, plugin_id TEXT, task_execution_id TEXT, resource_state BLOB, inputs TEXT, outputs TEXT,
            status_message TEXT, updated_at INTEGER NOT NULL, task_version TEXT, cached_from TEXT, log_links TEXT,
            started_at INTEGER, PRIMARY KEY (execution_id, node_id)
            """
        try Self.python(
            path,
            """
            CREATE TABLE old_nodes (\(columns));
            INSERT INTO old_nodes SELECT * FROM node_executions; DROP TABLE node_executions;
            ALTER TABLE old_nodes RENAME TO node_executions;
            CREATE TABLE old_lineage (execution_id TEXT NOT NULL, node_id TEXT NOT NULL, input_name TEXT NOT NULL,
                source_execution TEXT NOT NULL, source_node TEXT NOT NULL, source_output TEXT NOT NULL,
                PRIMARY KEY (execution_id, node_id, input_name, source_execution, source_node, source_output));
            INSERT INTO old_lineage SELECT * FROM lineage; DROP TABLE lineage;
            ALTER TABLE old_lineage RENAME TO lineage;
            CREATE INDEX lineage_by_source ON lineage (source_execution, source_node);
            DELETE FROM schema_migrations WHERE version = \(SQLiteMetadataStore.schemaVersion);
            """)
        #expect(try Self.python(path, "SELECT rowid FROM node_executions") == 0, "the old layout has rowids")
        let store = try SQLiteMetadataStore(path: path)
        let nodes = try store.nodes(execution: "ex1")
        #expect(nodes.map(\.node) == ["a", "b"])
        #expect(nodes[0].outputs == ["x": .integer(7)] && nodes[0].taskExecutionID == "ex1-a-0-abc")
        #expect(nodes[0].state.budget.user == 2)
        #expect(try store.lineage(execution: "ex1", node: "b").upstream == [edge])
        #expect(try store.lineage(execution: "ex1", node: "a").downstream == [edge])
        #expect(try Self.python(path, "SELECT rowid FROM node_executions") != 0, "not clustered by its key")
        #expect(try Self.python(path, "SELECT rowid FROM lineage") != 0, "not clustered by its key")
        try store.commit([NodeRecord(execution: "ex1", node: "c", state: NodeState(budget: RetryBudget(user: 0)))])
        #expect(try store.nodes(execution: "ex1").map(\.node) == ["a", "b", "c"])
    }

    /// Runs an SQL script on the store's file with Python's sqlite3 (as the version before would have left it);
    /// its exit status.
    @discardableResult
    static func python(_ path: String, _ script: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", path,
            script,
        ]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test func refusesAStoreFromANewerAloft() throws {
        let path = temporaryStorePath()
        _ = try SQLiteMetadataStore(path: path)
        // Simulate a newer Aloft having migrated the file further.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('INSERT INTO schema_migrations VALUES (99, 0)'); c.commit()",
            path,
        ]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        do {
            _ = try SQLiteMetadataStore(path: path)
            Issue.record("a newer schema was accepted")
        } catch let e as StoreError {
            #expect(
                e.description.hasSuffix(
                    "the store's schema is version 99, newer than this Aloft supports (\(SQLiteMetadataStore.schemaVersion)); upgrade Aloft"
                ))
        }
    }
}

/// Issue 15, defect 9: a damaged store is reported with the table, the execution and the node it is in, and
/// what is not damaged stays readable; an empty file is not silently taken for a new store.
@Suite(.timeLimit(.minutes(5))) struct StoreDamageTests {
    /// Runs SQL on the store's file with Python's sqlite3 (an outside hand, as a bad disk or a bad edit would be).
    static func damage(_ path: String, _ sql: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", path, sql,
        ]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    static func store() throws -> (SQLiteMetadataStore, String) {
        let path = NSTemporaryDirectory() + "aloft-damage-\(UUID())/metadata.sqlite"
        let store = try SQLiteMetadataStore(path: path)
        for id in ["good", "bad"] {
            try store.createExecution(
                ExecutionRecord(
                    id: id, project: "p", domain: "development", workflow: "w", spec: [], inputs: ["n": .integer(1)]))
            try store.commit([NodeRecord(execution: id, node: "a", state: NodeState(budget: RetryBudget(user: 0)))])
        }
        return (store, path)
    }

    @Test func aBadExecutionRowIsNamedAndTheOthersStayReadable() throws {
        let (store, path) = try Self.store()
        try Self.damage(path, "UPDATE executions SET inputs = '{not json' WHERE id = 'bad'")
        let all = try store.executions(project: nil, domain: nil, limit: 10)
        #expect(Set(all.map(\.id)) == ["good", "bad"])
        #expect(all.first { $0.id == "good" }?.damage == nil)
        let damage = try #require(all.first { $0.id == "bad" }?.damage)
        #expect(damage.contains("table executions, execution bad, column inputs"), "\(damage)")
    }

    @Test func aBadNodeStateNamesTheTableExecutionAndNode() throws {
        let (store, path) = try Self.store()
        try Self.damage(path, "UPDATE node_executions SET state = '{\"phase\": 42}' WHERE execution_id = 'bad'")
        #expect(try store.nodes(execution: "good").count == 1)
        do {
            _ = try store.nodes(execution: "bad")
            Issue.record("a damaged node state was read")
        } catch {
            #expect(
                "\(error)".hasPrefix(
                    "the metadata store is damaged: table node_executions, node bad/a, column state: "), "\(error)")
        }
    }

    @Test func anEmptyFileIsRefusedNotTakenForANewStore() throws {
        let dir = NSTemporaryDirectory() + "aloft-empty-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir + "/metadata.sqlite", contents: Data()))
        do {
            _ = try SQLiteMetadataStore(path: dir + "/metadata.sqlite")
            Issue.record("an empty file was opened as a store")
        } catch {
            #expect("\(error)".contains("metadata.sqlite is an empty file (0 bytes), not a store"), "\(error)")
        }
    }
}
