import AloftWire
import FoundationEssentials

// The registry's tables in the embedded store (schema version 3): projects, entities, schedule_cursors and
// schedule_fires.

extension SQLiteMetadataStore: RegistryStore {
    public func createProject(_ p: ProjectRecord) throws {
        try withDatabase { db in
            try db.transaction {
                if try db.prepare("SELECT 1 FROM projects WHERE id = ?").query([.text(p.id)], { _ in true }).first
                    == true
                {
                    throw RegistryError("project \(p.id) exists already")
                }
                try db.prepare("INSERT INTO projects (id, description, domains, created_at) VALUES (?, ?, ?, ?)")
                    .run([
                        .text(p.id), .text(p.description), .text(p.domains.joined(separator: ",")),
                        .integer(millis(p.createdAt)),
                    ])
            }
        }
    }

    public func projects() throws -> [ProjectRecord] {
        try withDatabase { db in
            try db.prepare("SELECT id, description, domains, created_at FROM projects ORDER BY id").query(
                [], Self.projectRow)
        }
    }

    public func project(id: String) throws -> ProjectRecord? {
        try withDatabase { db in
            try db.prepare("SELECT id, description, domains, created_at FROM projects WHERE id = ?").query(
                [.text(id)], Self.projectRow
            ).first
        }
    }

    public func insert(_ entities: [RegisteredEntity]) throws {
        guard !entities.isEmpty else { return }
        try withDatabase { db in
            try db.transaction {
                let insert = try db.prepare(
                    """
                    INSERT INTO entities (kind, project, domain, name, version, digest, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for e in entities {
                    do {
                        try insert.run([
                            .text(e.kind.rawValue), .text(e.project), .text(e.domain), .text(e.name), .text(e.version),
                            .text(e.digest), .blob(e.body), .integer(millis(e.createdAt)),
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
        try withDatabase { db in
            var sql =
                "SELECT \(Self.entityColumns) FROM entities WHERE kind = ? AND project = ? AND domain = ? AND name = ?"
            var args: [SQLiteDatabase.Statement.Value] = [
                .text(kind.rawValue), .text(project), .text(domain), .text(name),
            ]
            if let version {
                sql += " AND version = ?"
                args.append(.text(version))
            }
            sql += " ORDER BY created_at DESC, rowid DESC LIMIT 1"
            return try db.prepare(sql).query(args, Self.entityRow).first
        }
    }

    public func entities(
        _ kind: EntityKind, project: String, domain: String, name: String?
    ) throws -> [RegisteredEntity] {
        try withDatabase { db in
            var sql = "SELECT \(Self.entityColumns) FROM entities WHERE kind = ? AND project = ? AND domain = ?"
            var args: [SQLiteDatabase.Statement.Value] = [.text(kind.rawValue), .text(project), .text(domain)]
            if let name {
                sql += " AND name = ?"
                args.append(.text(name))
            }
            sql += " ORDER BY created_at DESC, rowid DESC"
            return try db.prepare(sql).query(args, Self.entityRow)
        }
    }

    public func newestLaunchPlans() throws -> [RegisteredEntity] {
        try withDatabase { db in
            let all = try db.prepare(
                "SELECT \(Self.entityColumns) FROM entities WHERE kind = ? ORDER BY created_at DESC, rowid DESC"
            )
            .query([.text(EntityKind.launchPlan.rawValue)], Self.entityRow)
            var seen = Set<String>()
            return all.filter { seen.insert("\($0.project)/\($0.domain)/\($0.name)").inserted }
        }
    }

    private static let entityColumns = "kind, project, domain, name, version, digest, body, created_at"

    private static func projectRow(_ r: SQLiteDatabase.Row) -> ProjectRecord {
        ProjectRecord(
            id: r.text(0) ?? "", description: r.text(1) ?? "",
            domains: (r.text(2) ?? "").split(separator: ",").map(String.init),
            createdAt: Date(timeIntervalSince1970: Double(r.integer(3)) / 1000))
    }

    private static func entityRow(_ r: SQLiteDatabase.Row) -> RegisteredEntity {
        RegisteredEntity(
            kind: EntityKind(rawValue: r.text(0) ?? "") ?? .task, project: r.text(1) ?? "", domain: r.text(2) ?? "",
            name: r.text(3) ?? "", version: r.text(4) ?? "", digest: r.text(5) ?? "", body: r.blob(6),
            createdAt: Date(timeIntervalSince1970: Double(r.integer(7)) / 1000))
    }
}
