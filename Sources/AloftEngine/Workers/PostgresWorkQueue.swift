public import FoundationEssentials

/// The work queue (WorkQueueStore) in PostgreSQL: a claim is one statement in one transaction. `FOR UPDATE
/// SKIP LOCKED` lets concurrent workers pass over a row another is claiming, and the lease upsert takes the
/// execution only if its lease is still missing or expired as of the latest commit, so two workers that both
/// saw the row free cannot both win it.
extension PostgresStore: WorkQueueStore {
    public func enqueue(_ execution: ExecutionRecord, nodes: [NodeRecord]) throws {
        var queued = execution
        queued.phase = .queued
        try withConnection { db in
            try db.transaction {
                try Self.insertExecution(queued, db)
                try Self.upsertNodes(nodes, db)
                try db.update(
                    "INSERT INTO work_queue (execution_id, enqueued_at) VALUES ($1, $2)",
                    [queued.id, PG.time(queued.createdAt)])
            }
        }
    }

    public func claimExecution(holder: LeaseHolder, until: Date) throws -> ClaimedExecution? {
        let now = PG.time(Date())
        return try withConnection { db in
            try db.transaction { () throws -> ClaimedExecution? in
                guard
                    let name = try db.query(
                        """
                        WITH candidate AS (
                            SELECT q.execution_id FROM work_queue q JOIN executions e ON e.id = q.execution_id
                            WHERE e.phase IN ('queued', 'running') AND NOT EXISTS (SELECT 1 FROM leases l
                                              WHERE l.name = 'execution/' || q.execution_id AND l.expires_at > $1)
                            ORDER BY q.enqueued_at, q.execution_id LIMIT 1
                            FOR UPDATE OF q SKIP LOCKED
                        )
                        INSERT INTO leases (name, holder, heartbeat_at, expires_at)
                        SELECT 'execution/' || execution_id, $2, $1, $3 FROM candidate
                        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                            heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
                        WHERE leases.expires_at <= $1
                        RETURNING name
                        """, [now, holder.encoded, PG.time(until)]
                    ).first?[0]
                else { return nil }
                let id = String(name.dropFirst("execution/".count))
                let started = try db.update(
                    "UPDATE executions SET phase = 'running', updated_at = $1 WHERE id = $2 AND phase = 'queued'",
                    [now, id])
                return ClaimedExecution(id: id, wasQueued: started > 0)
            }
        }
    }

    public func dequeue(_ execution: String) throws {
        try withConnection { db in try db.update("DELETE FROM work_queue WHERE execution_id = $1", [execution]) }
    }

    public func abortQueued(_ execution: String) throws -> Bool {
        try withConnection { db in
            try db.transaction {
                let changed = try db.update(
                    """
                    UPDATE executions SET phase = 'aborted', error = $1, abort_requested = 1, updated_at = $2
                    WHERE id = $3 AND phase = 'queued'
                    """, [abortedInQueue, PG.time(Date()), execution])
                guard changed > 0 else { return false }
                try db.update("DELETE FROM work_queue WHERE execution_id = $1", [execution])
                return true
            }
        }
    }

    public func leases(prefix: String) throws -> [LeaseRecord] {
        try withConnection { db in
            try db.query(
                "SELECT name, holder, heartbeat_at, expires_at FROM leases WHERE starts_with(name, $1) ORDER BY name",
                [prefix]
            ).map { r in
                LeaseRecord(
                    name: r[0] ?? "", holder: LeaseHolder(encoded: r[1] ?? "") ?? .unknown,
                    heartbeatAt: PG.date(r[2]), expiresAt: PG.date(r[3]))
            }
        }
    }
}
