import AloftSystem
import AloftWire
public import FoundationEssentials

/// Launch plans' schedule cursors and fires (ScheduleStore) in SQLite.
extension SQLiteMetadataStore: ScheduleStore {
    public func scheduleCursor(project: String, domain: String, launchPlan: String) throws -> Date? {
        try withDatabase { db in
            try db.prepare("SELECT after FROM schedule_cursors WHERE project = ? AND domain = ? AND launch_plan = ?")
                .query([.text(project), .text(domain), .text(launchPlan)]) {
                    Date(timeIntervalSince1970: Double($0.integer(0)) / 1000)
                }.first
        }
    }

    public func recordFires(
        _ fires: [ScheduleFire], cursor: Date, project: String, domain: String, launchPlan: String
    ) throws {
        try withDatabase { db in
            try db.transaction {
                let insert = try db.prepare(
                    """
                    INSERT INTO schedule_fires (project, domain, launch_plan, fire_time, version, outcome, execution_id, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for f in fires {
                    do {
                        try insert.run([
                            .text(f.project), .text(f.domain), .text(f.launchPlan), .integer(millis(f.fireTime)),
                            .text(f.version),
                            .text(f.outcome.rawValue), f.executionID.map { .text($0) } ?? .null,
                            .integer(millis(Date())),
                        ])
                    } catch {
                        throw RegistryError(
                            "fire \(f.fireTime) of launch plan \(f.launchPlan) is decided already (another scheduler?)")
                    }
                }
                try db.prepare(
                    """
                    INSERT INTO schedule_cursors (project, domain, launch_plan, after) VALUES (?, ?, ?, ?)
                    ON CONFLICT (project, domain, launch_plan) DO UPDATE SET after = excluded.after
                    """
                ).run([.text(project), .text(domain), .text(launchPlan), .integer(millis(cursor))])
            }
        }
    }

    public func fires(project: String, domain: String, launchPlan: String?, limit: Int) throws -> [ScheduleFire] {
        try withDatabase { db in
            var sql = "SELECT \(Self.fireColumns) FROM schedule_fires WHERE project = ? AND domain = ?"
            var args: [SQLiteDatabase.Statement.Value] = [.text(project), .text(domain)]
            if let launchPlan {
                sql += " AND launch_plan = ?"
                args.append(.text(launchPlan))
            }
            sql += " ORDER BY fire_time DESC LIMIT ?"
            args.append(.integer(Int64(limit)))
            return try db.prepare(sql).query(args, Self.fireRow)
        }
    }

    public func unfinishedFires() throws -> [ScheduleFire] {
        try withDatabase { db in
            try db.prepare(
                """
                SELECT \(Self.fireColumns.split(separator: ",").map { "f." + $0.trimmingWhitespace() }.joined(separator: ", "))
                FROM schedule_fires f LEFT JOIN executions e ON e.id = f.execution_id
                WHERE f.outcome = 'launched' AND (e.id IS NULL OR e.phase = 'running')
                ORDER BY f.fire_time
                """
            ).query([], Self.fireRow)
        }
    }

    private static let fireColumns = "project, domain, launch_plan, fire_time, version, outcome, execution_id"

    private static func fireRow(_ r: SQLiteDatabase.Row) -> ScheduleFire {
        ScheduleFire(
            project: r.text(0) ?? "", domain: r.text(1) ?? "", launchPlan: r.text(2) ?? "",
            version: r.text(4) ?? "", fireTime: Date(timeIntervalSince1970: Double(r.integer(3)) / 1000),
            outcome: ScheduleFire.Outcome(rawValue: r.text(5) ?? "") ?? .missed, executionID: r.text(6))
    }
}
