import AloftWire
public import FoundationEssentials

/// Cached task outputs and serialize reservations (CacheStore) in SQLite.
extension SQLiteMetadataStore: CacheStore {
    public func cacheEntry(key: String) throws -> CacheEntry? {
        try withReader { db in
            try db.prepare("SELECT \(Self.cacheColumns) FROM cache_entries WHERE cache_key = ?").query(
                [.text(key)], Self.cacheRow
            ).first
        }
    }

    public func putCacheEntry(_ e: CacheEntry) throws {
        try withDatabase { db in
            try db.prepare(
                """
                INSERT INTO cache_entries (\(Self.cacheColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (cache_key) DO UPDATE SET outputs = excluded.outputs, execution_id = excluded.execution_id,
                    node_id = excluded.node_id, attempt = excluded.attempt, task_version = excluded.task_version, created_at = excluded.created_at
                """
            ).run([
                .text(e.key), .text(e.project), .text(e.domain), .text(e.task), .text(e.cacheVersion),
                .text(e.interfaceHash),
                .text(e.inputsHash), .text(String(decoding: e.outputs.canonicalBytes, as: UTF8.self)),
                .text(e.producer.execution),
                .text(e.producer.node), .integer(Int64(e.producer.attempt)), .text(e.producer.taskVersion),
                .integer(millis(e.createdAt)),
            ])
        }
    }

    public func cacheEntries(project: String?, domain: String?, task: String?) throws -> [CacheEntry] {
        try withDatabase { db in
            let (clause, args) = Self.scope(project, domain, task)
            return try db.prepare("SELECT \(Self.cacheColumns) FROM cache_entries\(clause) ORDER BY created_at DESC")
                .query(args, Self.cacheRow)
        }
    }

    public func clearCache(project: String?, domain: String?, task: String?) throws -> Int {
        try withDatabase { db in
            let (clause, args) = Self.scope(project, domain, task)
            let n =
                try db.prepare("SELECT COUNT(*) FROM cache_entries\(clause)").query(args) { Int($0.integer(0)) }.first
                ?? 0
            try db.prepare("DELETE FROM cache_entries\(clause)").run(args)
            return n
        }
    }

    public func reserve(key: String, owner: String, until: Date) throws -> String? {
        try withDatabase { db in
            try db.transaction {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let holder = try db.prepare("SELECT owner, expires_at FROM cache_reservations WHERE cache_key = ?")
                    .query([.text(key)]) {
                        ($0.text(0) ?? "", $0.integer(1))
                    }.first
                if let holder, holder.0 != owner, holder.1 > now { return holder.0 }
                try db.prepare(
                    """
                    INSERT INTO cache_reservations (cache_key, owner, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (cache_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                    """
                ).run([.text(key), .text(owner), .integer(Int64(until.timeIntervalSince1970 * 1000))])
                return nil
            }
        }
    }

    public func release(key: String, owner: String) throws {
        try withDatabase { db in
            try db.prepare("DELETE FROM cache_reservations WHERE cache_key = ? AND owner = ?").run([
                .text(key), .text(owner),
            ])
        }
    }

    private static let cacheColumns =
        "cache_key, project, domain, task, cache_version, interface_hash, inputs_hash, outputs, execution_id, node_id, attempt, task_version, created_at"

    private static func cacheRow(_ r: SQLiteDatabase.Row) throws -> CacheEntry {
        CacheEntry(
            key: r.text(0) ?? "", project: r.text(1) ?? "", domain: r.text(2) ?? "", task: r.text(3) ?? "",
            cacheVersion: r.text(4) ?? "",
            interfaceHash: r.text(5) ?? "", inputsHash: r.text(6) ?? "",
            outputs: try LiteralMap(bytes: Array((r.text(7) ?? "{}").utf8)),
            producer: .init(
                execution: r.text(8) ?? "", node: r.text(9) ?? "", attempt: Int(r.integer(10)),
                taskVersion: r.text(11) ?? ""),
            createdAt: Date(timeIntervalSince1970: Double(r.integer(12)) / 1000))
    }

    private static func scope(
        _ project: String?, _ domain: String?, _ task: String?
    ) -> (String, [SQLiteDatabase.Statement.Value]) {
        var filters: [String] = []
        var args: [SQLiteDatabase.Statement.Value] = []
        if let project {
            filters.append("project = ?")
            args.append(.text(project))
        }
        if let domain {
            filters.append("domain = ?")
            args.append(.text(domain))
        }
        if let task {
            filters.append("task = ?")
            args.append(.text(task))
        }
        return (filters.isEmpty ? "" : " WHERE " + filters.joined(separator: " AND "), args)
    }
}
