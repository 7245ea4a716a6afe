import AloftWire
import Foundation
import Synchronization

/// The embedded default store: one SQLite file (WAL), versioned schema migrations, SQL kept portable to
/// PostgreSQL (TEXT, INTEGER, BLOB; no SQLite-only functions in queries).
public final class SQLiteMetadataStore: MetadataStore {
    /// Each entry upgrades the schema by one version; never edit a released one, append.
    static let migrations: [String] = [
        """
        CREATE TABLE executions (
            id TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            workflow TEXT NOT NULL,
            spec BLOB NOT NULL,
            inputs TEXT NOT NULL,
            phase TEXT NOT NULL,
            outputs TEXT,
            error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            recovered_from TEXT
        );
        CREATE INDEX executions_by_scope ON executions (project, domain, created_at);
        CREATE TABLE node_executions (
            execution_id TEXT NOT NULL REFERENCES executions (id),
            node_id TEXT NOT NULL,
            state TEXT NOT NULL,
            phase TEXT NOT NULL,
            plugin_id TEXT,
            task_execution_id TEXT,
            resource_state BLOB,
            inputs TEXT,
            outputs TEXT,
            status_message TEXT,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (execution_id, node_id)
        );
        """,
        """
        CREATE TABLE cache_entries (
            cache_key TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            task TEXT NOT NULL,
            cache_version TEXT NOT NULL,
            interface_hash TEXT NOT NULL,
            inputs_hash TEXT NOT NULL,
            outputs TEXT NOT NULL,
            execution_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            task_version TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX cache_by_task ON cache_entries (project, domain, task);
        CREATE TABLE cache_reservations (
            cache_key TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE TABLE lineage (
            execution_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            input_name TEXT NOT NULL,
            source_execution TEXT NOT NULL,
            source_node TEXT NOT NULL,
            source_output TEXT NOT NULL,
            PRIMARY KEY (execution_id, node_id, input_name, source_execution, source_node, source_output)
        );
        CREATE INDEX lineage_by_source ON lineage (source_execution, source_node);
        ALTER TABLE node_executions ADD COLUMN task_version TEXT;
        ALTER TABLE node_executions ADD COLUMN cached_from TEXT;
        ALTER TABLE executions ADD COLUMN abort_requested INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE node_executions ADD COLUMN log_links TEXT;
        """,
        // The registry: projects and their domains, versioned entities, launch plan schedules.
        """
        CREATE TABLE projects (
            id TEXT PRIMARY KEY,
            description TEXT NOT NULL,
            domains TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        INSERT INTO projects (id, description, domains, created_at) VALUES ('default', 'the default project', 'development,staging,production', 0);
        CREATE TABLE entities (
            kind TEXT NOT NULL,
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            digest TEXT NOT NULL,
            body BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (kind, project, domain, name, version)
        );
        CREATE INDEX entities_by_age ON entities (kind, project, domain, name, created_at);
        CREATE TABLE schedule_cursors (
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            launch_plan TEXT NOT NULL,
            after INTEGER NOT NULL,
            PRIMARY KEY (project, domain, launch_plan)
        );
        CREATE TABLE schedule_fires (
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            launch_plan TEXT NOT NULL,
            fire_time INTEGER NOT NULL,
            version TEXT NOT NULL,
            outcome TEXT NOT NULL,
            execution_id TEXT,
            recorded_at INTEGER NOT NULL,
            PRIMARY KEY (project, domain, launch_plan, fire_time)
        );
        ALTER TABLE executions ADD COLUMN launched_from TEXT;
        ALTER TABLE executions ADD COLUMN labels TEXT;
        """,
        // Leases: who drives an execution (and later, which worker holds what).
        """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            heartbeat_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        """,
    ]

    public static var schemaVersion: Int { migrations.count }

    private let db: Mutex<SQLiteDatabaseBox>

    struct SQLiteDatabaseBox: @unchecked Sendable { let db: SQLiteDatabase }  // guarded by the Mutex

    /// Opens (creating if needed) the store at `path` and brings its schema up to date. A store written by a
    /// newer Aloft is refused rather than misread.
    public init(path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // An empty file is not a new store: SQLite would quietly make one, and every recorded execution would
        // seem gone. (A store whose pages are still all in its write-ahead log is fine.)
        if Self.size(path) == 0 && (Self.size(path + "-wal") ?? 0) == 0 { throw StoreError.emptyFile(path: path) }
        let database = try SQLiteDatabase(path: path)
        // The version is read and every missing migration applied inside one write transaction (BEGIN
        // IMMEDIATE): two processes opening a new store at once (`aloft run` and `aloft executions list`)
        // take turns, and the second finds the schema current instead of creating the tables again.
        try database.transaction {
            try database.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")
            let current = try database.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").query { Int($0.integer(0)) }.first ?? 0
            if current > Self.migrations.count {
                throw StoreError.newerSchema(path: path, found: current, supported: Self.migrations.count)
            }
            for version in Self.migrations.indices.map({ $0 + 1 }) where version > current {
                try database.execute(Self.migrations[version - 1])
                try database.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                    .run([.integer(Int64(version)), .integer(Int64(Date().timeIntervalSince1970))])
            }
        }
        db = Mutex(SQLiteDatabaseBox(db: database))
    }

    private static func size(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }

    func withDatabase<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        try db.withLock { box in try body(box.db) }
    }

    public func createExecution(_ e: ExecutionRecord) throws {
        try db.withLock { box in
            try box.db.prepare("""
                INSERT INTO executions (\(Self.executionColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([
                .text(e.id), .text(e.project), .text(e.domain), .text(e.workflow), .blob(e.spec), .text(text(e.inputs)),
                .text(e.phase.rawValue), e.outputs.map { .text(text($0)) } ?? .null, e.error.map { .text($0) } ?? .null,
                .integer(millis(e.createdAt)), .integer(millis(e.updatedAt)), e.recoveredFrom.map { .text($0) } ?? .null,
                e.launchedFrom.map { .text($0) } ?? .null,
                e.labels.isEmpty ? .null : .text(JSONWriter.string(.object(e.labels.mapValues(JSON.string)))),
            ])
        }
    }

    public func execution(id: String) throws -> ExecutionRecord? {
        try db.withLock { box in
            try box.db.prepare("SELECT \(Self.executionColumns) FROM executions WHERE id = ?").query([.text(id)], { Self.executionRow($0) }).first
        }
    }

    public func executions(project: String?, domain: String?, limit: Int) throws -> [ExecutionRecord] {
        try db.withLock { box in
            var sql = "SELECT \(Self.executionColumns) FROM executions"
            var args: [SQLiteDatabase.Statement.Value] = []
            var filters: [String] = []
            if let project { filters.append("project = ?"); args.append(.text(project)) }
            if let domain { filters.append("domain = ?"); args.append(.text(domain)) }
            if !filters.isEmpty { sql += " WHERE " + filters.joined(separator: " AND ") }
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
            args.append(.integer(Int64(limit)))
            return try box.db.prepare(sql).query(args, { Self.executionRow($0) })
        }
    }

    public func finishExecution(id: String, phase: ExecutionRecord.Phase, outputs: LiteralMap?, error: String?) throws {
        try db.withLock { box in
            try box.db.prepare("UPDATE executions SET phase = ?, outputs = ?, error = ?, updated_at = ? WHERE id = ?").run([
                .text(phase.rawValue), outputs.map { .text(text($0)) } ?? .null, error.map { .text($0) } ?? .null,
                .integer(millis(Date())), .text(id),
            ])
        }
    }

    public func requestAbort(id: String) throws {
        try withDatabase { db in try db.prepare("UPDATE executions SET abort_requested = 1 WHERE id = ?").run([.text(id)]) }
    }

    public func abortRequested(id: String) throws -> Bool {
        try withDatabase { db in
            try db.prepare("SELECT abort_requested FROM executions WHERE id = ?").query([.text(id)]) { $0.integer(0) != 0 }.first ?? false
        }
    }

    public func nodes(execution: String) throws -> [NodeRecord] {
        try db.withLock { box in
            try box.db.prepare("""
                SELECT execution_id, node_id, state, plugin_id, task_execution_id, resource_state, inputs, outputs, status_message, updated_at,
                       task_version, cached_from, log_links
                FROM node_executions WHERE execution_id = ? ORDER BY node_id
                """).query([.text(execution)]) { r in
                let row = "node \(r.text(0) ?? "")/\(r.text(1) ?? "")"
                func decode<T>(_ column: String, _ body: () throws -> T) throws -> T {
                    do { return try body() } catch {
                        throw StoreError.damagedRow(table: "node_executions", row: row, column: column, cause: "\(error)")
                    }
                }
                return NodeRecord(
                    execution: r.text(0) ?? "", node: r.text(1) ?? "",
                    state: try decode("state") { try JSONDecoder().decode(NodeState.self, from: Data((r.text(2) ?? "").utf8)) },
                    pluginID: r.text(3), taskExecutionID: r.text(4),
                    resourceState: r.isNull(5) ? nil : r.blob(5),
                    inputs: try decode("inputs") { try r.text(6).map { try LiteralMap(bytes: Array($0.utf8)) } },
                    outputs: try decode("outputs") { try r.text(7).map { try LiteralMap(bytes: Array($0.utf8)) } },
                    statusMessage: r.text(8), taskVersion: r.text(10), cachedFrom: r.text(11),
                    logLinks: (r.text(12).flatMap { try? JSONParser.parse($0) }?.arrayValue ?? []).compactMap { j in
                        guard let name = j["name"]?.stringValue, let uri = j["uri"]?.stringValue else { return nil }
                        return LogLinkRecord(name: name, uri: uri)
                    },
                    updatedAt: Date(timeIntervalSince1970: Double(r.integer(9)) / 1000))
            }
        }
    }

    public func commit(_ nodes: [NodeRecord]) throws { try commit(nodes, lineage: []) }

    public func commit(_ nodes: [NodeRecord], lineage: [LineageEdge]) throws {
        guard !nodes.isEmpty || !lineage.isEmpty else { return }
        try db.withLock { box in
            try box.db.transaction {
                try Self.insertLineage(lineage, box.db)
                let upsert = try box.db.prepare("""
                    INSERT INTO node_executions (execution_id, node_id, state, phase, plugin_id, task_execution_id, resource_state, inputs, outputs,
                                                 status_message, updated_at, task_version, cached_from, log_links)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (execution_id, node_id) DO UPDATE SET
                        state = excluded.state, phase = excluded.phase, plugin_id = excluded.plugin_id,
                        task_execution_id = excluded.task_execution_id, resource_state = excluded.resource_state,
                        inputs = excluded.inputs, outputs = excluded.outputs, status_message = excluded.status_message,
                        updated_at = excluded.updated_at, task_version = excluded.task_version, cached_from = excluded.cached_from,
                        log_links = excluded.log_links
                    """)
                for n in nodes {
                    try upsert.run([
                        .text(n.execution), .text(n.node), .text(n.state.jsonText),
                        .text(n.state.phase.rawValue), n.pluginID.map { .text($0) } ?? .null, n.taskExecutionID.map { .text($0) } ?? .null,
                        n.resourceState.map { .blob($0) } ?? .null, n.inputs.map { .text(text($0)) } ?? .null,
                        n.outputs.map { .text(text($0)) } ?? .null, n.statusMessage.map { .text($0) } ?? .null, .integer(millis(n.updatedAt)),
                        n.taskVersion.map { .text($0) } ?? .null, n.cachedFrom.map { .text($0) } ?? .null,
                        n.logLinks.isEmpty ? .null : .text(JSONWriter.string(.array(n.logLinks.map { .object(["name": .string($0.name), "uri": .string($0.uri)]) }))),
                    ])
                }
            }
        }
    }

    private static let executionColumns =
        "id, project, domain, workflow, spec, inputs, phase, outputs, error, created_at, updated_at, recovered_from, launched_from, labels"

    /// Never fails: a column that cannot be decoded is left empty and named in `damage`, so one damaged row
    /// neither hides the other executions nor goes unnoticed.
    private static func executionRow(_ r: SQLiteDatabase.Row) -> ExecutionRecord {
        let id = r.text(0) ?? ""
        var damage: [String] = []
        func literals(_ column: Int32, _ name: String) -> LiteralMap? {
            guard let text = r.text(column) else { return nil }
            do { return try LiteralMap(bytes: Array(text.utf8)) } catch {
                damage.append("table executions, execution \(id), column \(name): \(error)")
                return nil
            }
        }
        let phaseText = r.text(6) ?? ""
        let phase = ExecutionRecord.Phase(rawValue: phaseText)
        if phase == nil { damage.append("table executions, execution \(id), column phase: unknown phase \"\(phaseText)\"") }
        var record = ExecutionRecord(
            id: id, project: r.text(1) ?? "", domain: r.text(2) ?? "", workflow: r.text(3) ?? "", spec: r.blob(4),
            inputs: literals(5, "inputs") ?? [:], phase: phase ?? .failed, outputs: literals(7, "outputs"), error: r.text(8),
            createdAt: Date(timeIntervalSince1970: Double(r.integer(9)) / 1000),
            updatedAt: Date(timeIntervalSince1970: Double(r.integer(10)) / 1000), recoveredFrom: r.text(11), launchedFrom: r.text(12),
            labels: (r.text(13).flatMap { try? JSONParser.parse($0) }?.objectValue ?? [:]).compactMapValues(\.stringValue))
        record.damage = damage.isEmpty ? nil : damage.joined(separator: "; ")
        return record
    }
}

public enum StoreError: Error, CustomStringConvertible {
    case newerSchema(path: String, found: Int, supported: Int)
    case emptyFile(path: String)
    /// A stored row that cannot be read: the table, the row (`execution` or `execution/node`), the column.
    case damagedRow(table: String, row: String, column: String, cause: String)

    public var description: String {
        switch self {
        case .newerSchema(let path, let found, let supported):
            return "\(path): the store's schema is version \(found), newer than this Aloft supports (\(supported)); upgrade Aloft"
        case .emptyFile(let path):
            return "\(path) is an empty file (0 bytes), not a store: it was truncated or never written. "
                + "Move it away to start a new store, or restore it from a backup"
        case .damagedRow(let table, let row, let column, let cause):
            return "the metadata store is damaged: table \(table), \(row), column \(column): \(cause)"
        }
    }
}

private func text(_ m: LiteralMap) -> String { String(decoding: m.canonicalBytes, as: UTF8.self) }
/// Times are stored as milliseconds since 1970.
func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }

extension SQLiteMetadataStore: CacheStore {
    public func cacheEntry(key: String) throws -> CacheEntry? {
        try withDatabase { db in
            try db.prepare("SELECT \(Self.cacheColumns) FROM cache_entries WHERE cache_key = ?").query([.text(key)], Self.cacheRow).first
        }
    }

    public func putCacheEntry(_ e: CacheEntry) throws {
        try withDatabase { db in
            try db.prepare("""
                INSERT INTO cache_entries (\(Self.cacheColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (cache_key) DO UPDATE SET outputs = excluded.outputs, execution_id = excluded.execution_id,
                    node_id = excluded.node_id, attempt = excluded.attempt, task_version = excluded.task_version, created_at = excluded.created_at
                """).run([
                .text(e.key), .text(e.project), .text(e.domain), .text(e.task), .text(e.cacheVersion), .text(e.interfaceHash),
                .text(e.inputsHash), .text(String(decoding: e.outputs.canonicalBytes, as: UTF8.self)), .text(e.producer.execution),
                .text(e.producer.node), .integer(Int64(e.producer.attempt)), .text(e.producer.taskVersion),
                .integer(millis(e.createdAt)),
            ])
        }
    }

    public func cacheEntries(project: String?, domain: String?, task: String?) throws -> [CacheEntry] {
        try withDatabase { db in
            let (clause, args) = Self.scope(project, domain, task)
            return try db.prepare("SELECT \(Self.cacheColumns) FROM cache_entries\(clause) ORDER BY created_at DESC").query(args, Self.cacheRow)
        }
    }

    public func clearCache(project: String?, domain: String?, task: String?) throws -> Int {
        try withDatabase { db in
            let (clause, args) = Self.scope(project, domain, task)
            let n = try db.prepare("SELECT COUNT(*) FROM cache_entries\(clause)").query(args) { Int($0.integer(0)) }.first ?? 0
            try db.prepare("DELETE FROM cache_entries\(clause)").run(args)
            return n
        }
    }

    public func reserve(key: String, owner: String, until: Date) throws -> String? {
        try withDatabase { db in
            try db.transaction {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let holder = try db.prepare("SELECT owner, expires_at FROM cache_reservations WHERE cache_key = ?").query([.text(key)]) {
                    ($0.text(0) ?? "", $0.integer(1))
                }.first
                if let holder, holder.0 != owner, holder.1 > now { return holder.0 }
                try db.prepare("""
                    INSERT INTO cache_reservations (cache_key, owner, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (cache_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                    """).run([.text(key), .text(owner), .integer(Int64(until.timeIntervalSince1970 * 1000))])
                return nil
            }
        }
    }

    public func release(key: String, owner: String) throws {
        try withDatabase { db in
            try db.prepare("DELETE FROM cache_reservations WHERE cache_key = ? AND owner = ?").run([.text(key), .text(owner)])
        }
    }

    public func recordLineage(_ edges: [LineageEdge]) throws {
        guard !edges.isEmpty else { return }
        try withDatabase { db in try db.transaction { try Self.insertLineage(edges, db) } }
    }

    static func insertLineage(_ edges: [LineageEdge], _ db: SQLiteDatabase) throws {
        guard !edges.isEmpty else { return }
        let insert = try db.prepare("""
            INSERT INTO lineage (execution_id, node_id, input_name, source_execution, source_node, source_output)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        for e in edges {
            try insert.run([.text(e.execution), .text(e.node), .text(e.input), .text(e.sourceExecution), .text(e.sourceNode), .text(e.sourceOutput)])
        }
    }

    public func lineage(execution: String, node: String) throws -> (upstream: [LineageEdge], downstream: [LineageEdge]) {
        try withDatabase { db in
            let columns = "execution_id, node_id, input_name, source_execution, source_node, source_output"
            let row = { (r: SQLiteDatabase.Row) in
                LineageEdge(execution: r.text(0) ?? "", node: r.text(1) ?? "", input: r.text(2) ?? "", sourceExecution: r.text(3) ?? "",
                            sourceNode: r.text(4) ?? "", sourceOutput: r.text(5) ?? "")
            }
            let up = try db.prepare("SELECT \(columns) FROM lineage WHERE execution_id = ? AND node_id = ? ORDER BY input_name")
                .query([.text(execution), .text(node)], row)
            let down = try db.prepare("SELECT \(columns) FROM lineage WHERE source_execution = ? AND source_node = ? ORDER BY execution_id, node_id")
                .query([.text(execution), .text(node)], row)
            return (up, down)
        }
    }

    private static let cacheColumns = "cache_key, project, domain, task, cache_version, interface_hash, inputs_hash, outputs, execution_id, node_id, attempt, task_version, created_at"

    private static func cacheRow(_ r: SQLiteDatabase.Row) throws -> CacheEntry {
        CacheEntry(key: r.text(0) ?? "", project: r.text(1) ?? "", domain: r.text(2) ?? "", task: r.text(3) ?? "", cacheVersion: r.text(4) ?? "",
                   interfaceHash: r.text(5) ?? "", inputsHash: r.text(6) ?? "", outputs: try LiteralMap(bytes: Array((r.text(7) ?? "{}").utf8)),
                   producer: .init(execution: r.text(8) ?? "", node: r.text(9) ?? "", attempt: Int(r.integer(10)), taskVersion: r.text(11) ?? ""),
                   createdAt: Date(timeIntervalSince1970: Double(r.integer(12)) / 1000))
    }

    private static func scope(_ project: String?, _ domain: String?, _ task: String?) -> (String, [SQLiteDatabase.Statement.Value]) {
        var filters: [String] = []
        var args: [SQLiteDatabase.Statement.Value] = []
        if let project { filters.append("project = ?"); args.append(.text(project)) }
        if let domain { filters.append("domain = ?"); args.append(.text(domain)) }
        if let task { filters.append("task = ?"); args.append(.text(task)) }
        return (filters.isEmpty ? "" : " WHERE " + filters.joined(separator: " AND "), args)
    }
}
