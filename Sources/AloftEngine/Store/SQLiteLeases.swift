public import FoundationEssentials

extension SQLiteMetadataStore: LeaseStore {
    public func acquireLease(_ name: String, holder: LeaseHolder, until: Date) throws -> LeaseRecord? {
        try withDatabase { db in
            try db.transaction {
                if let current = try Self.leaseRow(name, db), current.holder != holder, current.isLive {
                    return current
                }
                try db.prepare(
                    """
                    INSERT INTO leases (name, holder, heartbeat_at, expires_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, heartbeat_at = excluded.heartbeat_at,
                        expires_at = excluded.expires_at
                    """
                ).run([.text(name), .text(holder.encoded), .integer(millis(Date())), .integer(millis(until))])
                return nil
            }
        }
    }

    public func renewLease(_ name: String, holder: LeaseHolder, until: Date) throws -> Bool {
        try withDatabase { db in
            try db.prepare("UPDATE leases SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND holder = ?")
                .run([.integer(millis(Date())), .integer(millis(until)), .text(name), .text(holder.encoded)])
            return db.changes > 0
        }
    }

    public func releaseLease(_ name: String, holder: LeaseHolder) throws {
        try withDatabase { db in
            try db.prepare("DELETE FROM leases WHERE name = ? AND holder = ?").run([.text(name), .text(holder.encoded)])
        }
    }

    public func lease(_ name: String) throws -> LeaseRecord? {
        try withDatabase { db in try Self.leaseRow(name, db) }
    }

    public func leases(_ names: [String]) throws -> [LeaseRecord] {
        guard !names.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
        return try withDatabase { db in
            try db.prepare("SELECT holder, heartbeat_at, expires_at, name FROM leases WHERE name IN (\(marks))")
                .query(names.map { .text($0) }) { r in Self.leaseRecord(r.text(3) ?? "", r) }
        }
    }

    /// Inside the caller's transaction (which holds SQLite's write lock, so no lease changes hands until it
    /// ends): throws `StoreError.leaseLost` unless each execution's lease is held by the given process.
    static func requireLeases(_ heldBy: [String: LeaseHolder], _ db: SQLiteDatabase) throws {
        guard !heldBy.isEmpty else { return }
        let look = try db.prepare("SELECT holder FROM leases WHERE name = ?")
        for (execution, holder) in heldBy.sorted(by: { $0.key < $1.key }) {
            let stored = try look.query([.text(ExecutionLease.name(execution))]) { $0.text(0) }.first ?? nil
            try holder.require(stored: stored, for: execution)
        }
    }

    private static func leaseRow(_ name: String, _ db: SQLiteDatabase) throws -> LeaseRecord? {
        try db.prepare("SELECT holder, heartbeat_at, expires_at FROM leases WHERE name = ?").query([.text(name)]) {
            leaseRecord(name, $0)
        }.first
    }

    private static func leaseRecord(_ name: String, _ r: SQLiteDatabase.Row) -> LeaseRecord {
        LeaseRecord(
            name: name,
            holder: LeaseHolder(encoded: r.text(0) ?? "")
                ?? LeaseHolder(host: "?", bootID: "", pid: 0, processStart: 0, role: "?"),
            heartbeatAt: Date(timeIntervalSince1970: Double(r.integer(1)) / 1000),
            expiresAt: Date(timeIntervalSince1970: Double(r.integer(2)) / 1000))
    }
}
