public import FoundationEssentials

/// Leases (LeaseStore) in PostgreSQL: the row is locked while a taker decides, so two takers take turns.
extension PostgresStore: LeaseStore {
    public func acquireLease(_ name: String, holder: LeaseHolder, until: Date) throws -> LeaseRecord? {
        try withConnection { db in
            try db.transaction {
                // The row may be released (deleted) between the insert that found it and the lock: then the
                // update changes nothing and the insert is tried again (it would be wrong to call it taken).
                while true {
                    // Makes the row exist so that it can be locked; a new one is the taker's at once.
                    let inserted = try db.update(
                        """
                        INSERT INTO leases (name, holder, heartbeat_at, expires_at) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (name) DO NOTHING
                        """, [name, holder.encoded, PG.time(Date()), PG.time(until)])
                    if inserted > 0 { return nil }
                    if let current = try Self.leaseRow(name, db, lock: true), current.holder != holder,
                        current.isLive
                    {
                        return current
                    }
                    let taken = try db.update(
                        "UPDATE leases SET holder = $2, heartbeat_at = $3, expires_at = $4 WHERE name = $1",
                        [name, holder.encoded, PG.time(Date()), PG.time(until)])
                    if taken > 0 { return nil }
                }
            }
        }
    }

    public func renewLease(_ name: String, holder: LeaseHolder, until: Date) throws -> Bool {
        try withConnection { db in
            try db.update(
                "UPDATE leases SET heartbeat_at = $1, expires_at = $2 WHERE name = $3 AND holder = $4",
                [PG.time(Date()), PG.time(until), name, holder.encoded]) > 0
        }
    }

    public func releaseLease(_ name: String, holder: LeaseHolder) throws {
        try withConnection { db in
            try db.update("DELETE FROM leases WHERE name = $1 AND holder = $2", [name, holder.encoded])
        }
    }

    public func lease(_ name: String) throws -> LeaseRecord? {
        try withConnection { db in try Self.leaseRow(name, db, lock: false) }
    }

    public func leases(_ names: [String]) throws -> [LeaseRecord] {
        guard !names.isEmpty else { return [] }
        let marks = names.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        return try withConnection { db in
            try db.query("SELECT holder, heartbeat_at, expires_at, name FROM leases WHERE name IN (\(marks))", names)
                .map { r in Self.leaseRecord(r[3] ?? "", r) }
        }
    }

    /// Inside the caller's transaction: throws `StoreError.leaseLost` unless each execution's lease is held by
    /// the given process. The rows are locked `FOR SHARE` until the transaction ends, so a taker (which locks
    /// the row to update it) waits for this write, and reads it, instead of passing it unseen.
    static func requireLeases(_ heldBy: [String: LeaseHolder], _ db: PostgresConnection) throws {
        guard !heldBy.isEmpty else { return }
        let names = heldBy.keys.sorted().map(ExecutionLease.name)
        let marks = names.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        var holders: [String: String] = [:]
        for r in try db.query(
            "SELECT name, holder FROM leases WHERE name IN (\(marks)) ORDER BY name FOR SHARE", names)
        {
            holders[r[0] ?? ""] = r[1]
        }
        for (execution, holder) in heldBy.sorted(by: { $0.key < $1.key }) {
            try holder.require(stored: holders[ExecutionLease.name(execution)], for: execution)
        }
    }

    private static func leaseRow(_ name: String, _ db: PostgresConnection, lock: Bool) throws -> LeaseRecord? {
        try db.query(
            "SELECT holder, heartbeat_at, expires_at FROM leases WHERE name = $1" + (lock ? " FOR UPDATE" : ""), [name]
        ).first.map { leaseRecord(name, $0) }
    }

    private static func leaseRecord(_ name: String, _ r: [String?]) -> LeaseRecord {
        LeaseRecord(
            name: name,
            holder: LeaseHolder(encoded: r[0] ?? "")
                ?? LeaseHolder(host: "?", bootID: "", pid: 0, processStart: 0, role: "?"),
            heartbeatAt: PG.date(r[1]), expiresAt: PG.date(r[2]))
    }
}
