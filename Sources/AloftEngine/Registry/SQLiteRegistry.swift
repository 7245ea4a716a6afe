import AloftWire
import Foundation

// The registry's tables in the embedded store (schema version 3): projects, entities, schedule_cursors and
// schedule_fires.

extension SQLiteMetadataStore: Registry {
    public func createProject(_ p: ProjectRecord) throws {
        try withDatabase { db in
            try db.transaction {
                if try db.prepare("SELECT 1 FROM projects WHERE id = ?").query([.text(p.id)], { _ in true }).first == true {
                    throw RegistryError("project \(p.id) exists already")
                }
                try db.prepare("INSERT INTO projects (id, description, domains, created_at) VALUES (?, ?, ?, ?)")
                    .run([.text(p.id), .text(p.description), .text(p.domains.joined(separator: ",")), .integer(millis(p.createdAt))])
            }
        }
    }

    public func projects() throws -> [ProjectRecord] {
        try withDatabase { db in
            try db.prepare("SELECT id, description, domains, created_at FROM projects ORDER BY id").query([], Self.projectRow)
        }
    }

    public func project(id: String) throws -> ProjectRecord? {
        try withDatabase { db in
            try db.prepare("SELECT id, description, domains, created_at FROM projects WHERE id = ?").query([.text(id)], Self.projectRow).first
        }
    }

    public func insert(_ entities: [RegisteredEntity]) throws {
        guard !entities.isEmpty else { return }
        try withDatabase { db in
            try db.transaction {
                let insert = try db.prepare("""
                    INSERT INTO entities (kind, project, domain, name, version, digest, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for e in entities {
                    do {
                        try insert.run([.text(e.kind.rawValue), .text(e.project), .text(e.domain), .text(e.name), .text(e.version),
                                        .text(e.digest), .blob(e.body), .integer(millis(e.createdAt))])
                    } catch {
                        throw RegistryError("cannot register \(e.label) in \(e.project)/\(e.domain): \(error) (registered meanwhile by another process? run again)")
                    }
                }
            }
        }
    }

    public func entity(_ kind: EntityKind, project: String, domain: String, name: String, version: String?) throws -> RegisteredEntity? {
        try withDatabase { db in
            var sql = "SELECT \(Self.entityColumns) FROM entities WHERE kind = ? AND project = ? AND domain = ? AND name = ?"
            var args: [SQLiteDatabase.Statement.Value] = [.text(kind.rawValue), .text(project), .text(domain), .text(name)]
            if let version { sql += " AND version = ?"; args.append(.text(version)) }
            sql += " ORDER BY created_at DESC, rowid DESC LIMIT 1"
            return try db.prepare(sql).query(args, Self.entityRow).first
        }
    }

    public func entities(_ kind: EntityKind, project: String, domain: String, name: String?) throws -> [RegisteredEntity] {
        try withDatabase { db in
            var sql = "SELECT \(Self.entityColumns) FROM entities WHERE kind = ? AND project = ? AND domain = ?"
            var args: [SQLiteDatabase.Statement.Value] = [.text(kind.rawValue), .text(project), .text(domain)]
            if let name { sql += " AND name = ?"; args.append(.text(name)) }
            sql += " ORDER BY created_at DESC, rowid DESC"
            return try db.prepare(sql).query(args, Self.entityRow)
        }
    }

    public func newestLaunchPlans() throws -> [RegisteredEntity] {
        try withDatabase { db in
            let all = try db.prepare("SELECT \(Self.entityColumns) FROM entities WHERE kind = ? ORDER BY created_at DESC, rowid DESC")
                .query([.text(EntityKind.launchPlan.rawValue)], Self.entityRow)
            var seen = Set<String>()
            return all.filter { seen.insert("\($0.project)/\($0.domain)/\($0.name)").inserted }
        }
    }

    public func scheduleCursor(project: String, domain: String, launchPlan: String) throws -> Date? {
        try withDatabase { db in
            try db.prepare("SELECT after FROM schedule_cursors WHERE project = ? AND domain = ? AND launch_plan = ?")
                .query([.text(project), .text(domain), .text(launchPlan)]) { Date(timeIntervalSince1970: Double($0.integer(0)) / 1000) }.first
        }
    }

    public func recordFires(_ fires: [ScheduleFire], cursor: Date, project: String, domain: String, launchPlan: String) throws {
        try withDatabase { db in
            try db.transaction {
                let insert = try db.prepare("""
                    INSERT INTO schedule_fires (project, domain, launch_plan, fire_time, version, outcome, execution_id, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for f in fires {
                    do {
                        try insert.run([.text(f.project), .text(f.domain), .text(f.launchPlan), .integer(millis(f.fireTime)), .text(f.version),
                                        .text(f.outcome.rawValue), f.executionID.map { .text($0) } ?? .null, .integer(millis(Date()))])
                    } catch {
                        throw RegistryError("fire \(f.fireTime) of launch plan \(f.launchPlan) is decided already (another scheduler?)")
                    }
                }
                try db.prepare("""
                    INSERT INTO schedule_cursors (project, domain, launch_plan, after) VALUES (?, ?, ?, ?)
                    ON CONFLICT (project, domain, launch_plan) DO UPDATE SET after = excluded.after
                    """).run([.text(project), .text(domain), .text(launchPlan), .integer(millis(cursor))])
            }
        }
    }

    public func fires(project: String, domain: String, launchPlan: String?, limit: Int) throws -> [ScheduleFire] {
        try withDatabase { db in
            var sql = "SELECT \(Self.fireColumns) FROM schedule_fires WHERE project = ? AND domain = ?"
            var args: [SQLiteDatabase.Statement.Value] = [.text(project), .text(domain)]
            if let launchPlan { sql += " AND launch_plan = ?"; args.append(.text(launchPlan)) }
            sql += " ORDER BY fire_time DESC LIMIT ?"
            args.append(.integer(Int64(limit)))
            return try db.prepare(sql).query(args, Self.fireRow)
        }
    }

    public func unfinishedFires() throws -> [ScheduleFire] {
        try withDatabase { db in
            try db.prepare("""
                SELECT \(Self.fireColumns.split(separator: ",").map { "f." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                FROM schedule_fires f LEFT JOIN executions e ON e.id = f.execution_id
                WHERE f.outcome = 'launched' AND (e.id IS NULL OR e.phase = 'running')
                ORDER BY f.fire_time
                """).query([], Self.fireRow)
        }
    }

    private static let entityColumns = "kind, project, domain, name, version, digest, body, created_at"
    private static let fireColumns = "project, domain, launch_plan, fire_time, version, outcome, execution_id"

    private static func projectRow(_ r: SQLiteDatabase.Row) -> ProjectRecord {
        ProjectRecord(id: r.text(0) ?? "", description: r.text(1) ?? "", domains: (r.text(2) ?? "").split(separator: ",").map(String.init),
                      createdAt: Date(timeIntervalSince1970: Double(r.integer(3)) / 1000))
    }

    private static func entityRow(_ r: SQLiteDatabase.Row) -> RegisteredEntity {
        RegisteredEntity(kind: EntityKind(rawValue: r.text(0) ?? "") ?? .task, project: r.text(1) ?? "", domain: r.text(2) ?? "",
                         name: r.text(3) ?? "", version: r.text(4) ?? "", digest: r.text(5) ?? "", body: r.blob(6),
                         createdAt: Date(timeIntervalSince1970: Double(r.integer(7)) / 1000))
    }

    private static func fireRow(_ r: SQLiteDatabase.Row) -> ScheduleFire {
        ScheduleFire(project: r.text(0) ?? "", domain: r.text(1) ?? "", launchPlan: r.text(2) ?? "",
                     version: r.text(4) ?? "", fireTime: Date(timeIntervalSince1970: Double(r.integer(3)) / 1000),
                     outcome: ScheduleFire.Outcome(rawValue: r.text(5) ?? "") ?? .missed, executionID: r.text(6))
    }
}
