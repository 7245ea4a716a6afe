public import FoundationEssentials

/// The work queue (WorkQueueStore) in SQLite: claims happen inside one write transaction (BEGIN IMMEDIATE), so
/// workers on one machine sharing one file take turns.
extension SQLiteMetadataStore: WorkQueueStore {
    public func enqueue(_ execution: ExecutionRecord, nodes: [NodeRecord]) throws {
        var queued = execution
        queued.phase = .queued
        try withDatabase { db in
            try db.transaction {
                try Self.insertExecution(queued, db)
                try Self.upsertNodes(nodes, db)
                try db.prepare("INSERT INTO work_queue (execution_id, enqueued_at) VALUES (?, ?)")
                    .run([.text(queued.id), .integer(millis(queued.createdAt))])
            }
        }
    }

    public func claimExecution(holder: LeaseHolder, until: Date) throws -> ClaimedExecution? {
        let now = millis(Date())
        return try withDatabase { db in
            try db.transaction { () throws -> ClaimedExecution? in
                guard
                    let id = try db.prepare(
                        """
                        SELECT q.execution_id FROM work_queue q JOIN executions e ON e.id = q.execution_id
                        WHERE e.phase IN ('queued', 'running') AND NOT EXISTS (SELECT 1 FROM leases l
                                          WHERE l.name = 'execution/' || q.execution_id AND l.expires_at > ?)
                        ORDER BY q.enqueued_at, q.execution_id LIMIT 1
                        """
                    ).query([.integer(now)], { $0.text(0) ?? "" }).first
                else { return nil }
                try db.prepare(
                    """
                    INSERT INTO leases (name, holder, heartbeat_at, expires_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, heartbeat_at = excluded.heartbeat_at,
                        expires_at = excluded.expires_at
                    """
                ).run([.text("execution/" + id), .text(holder.encoded), .integer(now), .integer(millis(until))])
                try db.prepare(
                    "UPDATE executions SET phase = 'running', updated_at = ? WHERE id = ? AND phase = 'queued'"
                )
                .run([.integer(now), .text(id)])
                return ClaimedExecution(id: id, wasQueued: db.changes > 0)
            }
        }
    }

    public func dequeue(_ execution: String) throws {
        try withDatabase { db in
            try db.prepare("DELETE FROM work_queue WHERE execution_id = ?").run([.text(execution)])
        }
    }

    public func abortQueued(_ execution: String) throws -> Bool {
        try withDatabase { db in
            try db.transaction {
                try db.prepare(
                    """
                    UPDATE executions SET phase = 'aborted', error = ?, abort_requested = 1, updated_at = ?
                    WHERE id = ? AND phase = 'queued'
                    """
                ).run([.text(abortedInQueue), .integer(millis(Date())), .text(execution)])
                guard db.changes > 0 else { return false }
                try db.prepare("DELETE FROM work_queue WHERE execution_id = ?").run([.text(execution)])
                return true
            }
        }
    }

    public func leases(prefix: String) throws -> [LeaseRecord] {
        try withDatabase { db in
            try db.prepare(
                "SELECT name, holder, heartbeat_at, expires_at FROM leases WHERE substr(name, 1, ?) = ? ORDER BY name"
            ).query([.integer(Int64(prefix.utf8.count)), .text(prefix)]) { r in
                LeaseRecord(
                    name: r.text(0) ?? "", holder: LeaseHolder(encoded: r.text(1) ?? "") ?? .unknown,
                    heartbeatAt: Date(timeIntervalSince1970: Double(r.integer(2)) / 1000),
                    expiresAt: Date(timeIntervalSince1970: Double(r.integer(3)) / 1000))
            }
        }
    }
}
