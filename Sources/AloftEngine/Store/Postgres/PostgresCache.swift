import AloftWire
public import FoundationEssentials

/// Cached task outputs and their reservations (CacheStore) in PostgreSQL.
extension PostgresStore: CacheStore {
    public func cacheEntry(key: String) throws -> CacheEntry? {
        try withConnection { db in
            try db.query("SELECT \(Self.cacheColumns) FROM cache_entries WHERE cache_key = $1", [key]).first.map(
                Self.cacheRow)
        }
    }

    public func putCacheEntry(_ e: CacheEntry) throws {
        try withConnection { db in
            try db.update(
                """
                INSERT INTO cache_entries (\(Self.cacheColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                ON CONFLICT (cache_key) DO UPDATE SET outputs = excluded.outputs, execution_id = excluded.execution_id,
                    node_id = excluded.node_id, attempt = excluded.attempt, task_version = excluded.task_version,
                    created_at = excluded.created_at
                """,
                [
                    e.key, e.project, e.domain, e.task, e.cacheVersion, e.interfaceHash, e.inputsHash, text(e.outputs),
                    e.producer.execution, e.producer.node, String(e.producer.attempt), e.producer.taskVersion,
                    PG.time(e.createdAt),
                ])
        }
    }

    public func cacheEntries(project: String?, domain: String?, task: String?) throws -> [CacheEntry] {
        try withConnection { db in
            let (clause, args) = Self.scope(project, domain, task)
            return try db.query(
                "SELECT \(Self.cacheColumns) FROM cache_entries\(clause) ORDER BY created_at DESC", args
            )
            .map(Self.cacheRow)
        }
    }

    public func clearCache(project: String?, domain: String?, task: String?) throws -> Int {
        try withConnection { db in
            let (clause, args) = Self.scope(project, domain, task)
            return try db.update("DELETE FROM cache_entries\(clause)", args)
        }
    }

    public func reserve(key: String, owner: String, until: Date) throws -> String? {
        try withConnection { db in
            // One statement: the reservation is taken when free, expired or already the owner's; otherwise the
            // holder is read back. Racing reservers serialize on the row.
            let taken = try db.query(
                """
                INSERT INTO cache_reservations (cache_key, owner, expires_at) VALUES ($1, $2, $3)
                ON CONFLICT (cache_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE cache_reservations.owner = excluded.owner OR cache_reservations.expires_at <= $4
                RETURNING owner
                """, [key, owner, PG.time(until), PG.time(Date())])
            if !taken.isEmpty { return nil }
            return try db.query("SELECT owner FROM cache_reservations WHERE cache_key = $1", [key]).first?[0] ?? nil
        }
    }

    public func release(key: String, owner: String) throws {
        try withConnection { db in
            try db.update("DELETE FROM cache_reservations WHERE cache_key = $1 AND owner = $2", [key, owner])
        }
    }

    private static let cacheColumns =
        "cache_key, project, domain, task, cache_version, interface_hash, inputs_hash, outputs, execution_id, node_id, attempt, task_version, created_at"

    private static func cacheRow(_ r: [String?]) throws -> CacheEntry {
        CacheEntry(
            key: r[0] ?? "", project: r[1] ?? "", domain: r[2] ?? "", task: r[3] ?? "", cacheVersion: r[4] ?? "",
            interfaceHash: r[5] ?? "", inputsHash: r[6] ?? "",
            outputs: try LiteralMap(bytes: Array((r[7] ?? "{}").utf8)),
            producer: .init(
                execution: r[8] ?? "", node: r[9] ?? "", attempt: Int(PG.integer(r[10])), taskVersion: r[11] ?? ""),
            createdAt: PG.date(r[12]))
    }

    private static func scope(_ project: String?, _ domain: String?, _ task: String?) -> (String, [String?]) {
        var filters: [String] = []
        var args: [String?] = []
        for (column, value) in [("project", project), ("domain", domain), ("task", task)] {
            guard let value else { continue }
            args.append(value)
            filters.append("\(column) = $\(args.count)")
        }
        return (filters.isEmpty ? "" : " WHERE " + filters.joined(separator: " AND "), args)
    }
}
