import FoundationEssentials

/// Projects and registered entities (RegistryStore) in PostgreSQL.
extension PostgresStore: RegistryStore {
    public func createProject(_ p: ProjectRecord) throws {
        try withConnection { db in
            let inserted = try db.update(
                """
                INSERT INTO projects (id, description, domains, created_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO NOTHING
                """, [p.id, p.description, p.domains.joined(separator: ","), PG.time(p.createdAt)])
            if inserted == 0 { throw RegistryError("project \(p.id) exists already") }
        }
    }

    public func projects() throws -> [ProjectRecord] {
        try withConnection { db in
            try db.query("SELECT id, description, domains, created_at FROM projects ORDER BY id COLLATE \"C\"").map(
                Self.projectRow)
        }
    }

    public func project(id: String) throws -> ProjectRecord? {
        try withConnection { db in
            try db.query("SELECT id, description, domains, created_at FROM projects WHERE id = $1", [id]).first.map(
                Self.projectRow)
        }
    }

    public func insert(_ entities: [RegisteredEntity]) throws {
        guard !entities.isEmpty else { return }
        try withConnection { db in
            try db.transaction {
                for e in entities {
                    do {
                        try db.update(
                            """
                            INSERT INTO entities (kind, project, domain, name, version, digest, body, created_at)
                            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                            """,
                            [
                                e.kind.rawValue, e.project, e.domain, e.name, e.version, e.digest,
                                PostgresBytes.encode(e.body), PG.time(e.createdAt),
                            ])
                    } catch {
                        throw RegistryError(
                            "cannot register \(e.label) in \(e.project)/\(e.domain): \(error) (registered meanwhile by another process? run again)"
                        )
                    }
                }
            }
        }
    }

    public func entity(
        _ kind: EntityKind, project: String, domain: String, name: String, version: String?
    ) throws -> RegisteredEntity? {
        try withConnection { db in
            var sql =
                "SELECT \(Self.entityColumns) FROM entities WHERE kind = $1 AND project = $2 AND domain = $3 AND name = $4"
            var args: [String?] = [kind.rawValue, project, domain, name]
            if let version {
                args.append(version)
                sql += " AND version = $5"
            }
            sql += " ORDER BY created_at DESC, seq DESC LIMIT 1"
            return try db.query(sql, args).first.map(Self.entityRow)
        }
    }

    public func entities(
        _ kind: EntityKind, project: String, domain: String, name: String?
    ) throws -> [RegisteredEntity] {
        try withConnection { db in
            var sql = "SELECT \(Self.entityColumns) FROM entities WHERE kind = $1 AND project = $2 AND domain = $3"
            var args: [String?] = [kind.rawValue, project, domain]
            if let name {
                args.append(name)
                sql += " AND name = $4"
            }
            sql += " ORDER BY created_at DESC, seq DESC"
            return try db.query(sql, args).map(Self.entityRow)
        }
    }

    public func newestLaunchPlans() throws -> [RegisteredEntity] {
        try withConnection { db in
            let all = try db.query(
                "SELECT \(Self.entityColumns) FROM entities WHERE kind = $1 ORDER BY created_at DESC, seq DESC",
                [EntityKind.launchPlan.rawValue]
            ).map(Self.entityRow)
            var seen = Set<String>()
            return all.filter { seen.insert("\($0.project)/\($0.domain)/\($0.name)").inserted }
        }
    }

    private static let entityColumns = "kind, project, domain, name, version, digest, body, created_at"

    private static func projectRow(_ r: [String?]) -> ProjectRecord {
        ProjectRecord(
            id: r[0] ?? "", description: r[1] ?? "", domains: (r[2] ?? "").split(separator: ",").map(String.init),
            createdAt: PG.date(r[3]))
    }

    private static func entityRow(_ r: [String?]) -> RegisteredEntity {
        RegisteredEntity(
            kind: EntityKind(rawValue: r[0] ?? "") ?? .task, project: r[1] ?? "", domain: r[2] ?? "",
            name: r[3] ?? "", version: r[4] ?? "", digest: r[5] ?? "", body: PostgresBytes.decode(r[6]),
            createdAt: PG.date(r[7]))
    }
}
