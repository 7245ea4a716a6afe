public import FoundationEssentials

/// Launch plans' schedule cursors and fires (ScheduleStore) in PostgreSQL.
extension PostgresStore: ScheduleStore {
    public func scheduleCursor(project: String, domain: String, launchPlan: String) throws -> Date? {
        try withConnection { db in
            try db.query(
                "SELECT after FROM schedule_cursors WHERE project = $1 AND domain = $2 AND launch_plan = $3",
                [project, domain, launchPlan]
            ).first.map { PG.date($0[0]) }
        }
    }

    public func recordFires(
        _ fires: [ScheduleFire], cursor: Date, project: String, domain: String, launchPlan: String
    ) throws {
        try withConnection { db in
            try db.transaction {
                for f in fires {
                    do {
                        try db.update(
                            """
                            INSERT INTO schedule_fires (project, domain, launch_plan, fire_time, version, outcome,
                                execution_id, recorded_at)
                            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                            """,
                            [
                                f.project, f.domain, f.launchPlan, PG.time(f.fireTime), f.version, f.outcome.rawValue,
                                f.executionID, PG.time(Date()),
                            ])
                    } catch {
                        throw RegistryError(
                            "fire \(f.fireTime) of launch plan \(f.launchPlan) is decided already (another scheduler?)")
                    }
                }
                try db.update(
                    """
                    INSERT INTO schedule_cursors (project, domain, launch_plan, after) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (project, domain, launch_plan) DO UPDATE SET after = excluded.after
                    """, [project, domain, launchPlan, PG.time(cursor)])
            }
        }
    }

    public func fires(project: String, domain: String, launchPlan: String?, limit: Int) throws -> [ScheduleFire] {
        try withConnection { db in
            var sql = "SELECT \(Self.fireColumns) FROM schedule_fires WHERE project = $1 AND domain = $2"
            var args: [String?] = [project, domain]
            if let launchPlan {
                args.append(launchPlan)
                sql += " AND launch_plan = $3"
            }
            args.append(String(limit))
            sql += " ORDER BY fire_time DESC LIMIT $\(args.count)"
            return try db.query(sql, args).map(Self.fireRow)
        }
    }

    public func unfinishedFires() throws -> [ScheduleFire] {
        try withConnection { db in
            try db.query(
                """
                SELECT f.project, f.domain, f.launch_plan, f.fire_time, f.version, f.outcome, f.execution_id
                FROM schedule_fires f LEFT JOIN executions e ON e.id = f.execution_id
                WHERE f.outcome = 'launched' AND (e.id IS NULL OR e.phase = 'running')
                ORDER BY f.fire_time
                """
            ).map(Self.fireRow)
        }
    }

    private static let fireColumns = "project, domain, launch_plan, fire_time, version, outcome, execution_id"

    private static func fireRow(_ r: [String?]) -> ScheduleFire {
        ScheduleFire(
            project: r[0] ?? "", domain: r[1] ?? "", launchPlan: r[2] ?? "", version: r[4] ?? "",
            fireTime: PG.date(r[3]), outcome: ScheduleFire.Outcome(rawValue: r[5] ?? "") ?? .missed,
            executionID: r[6])
    }
}
