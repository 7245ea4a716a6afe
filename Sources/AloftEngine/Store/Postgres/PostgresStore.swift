import Foundation
import Synchronization

/// The metadata store machines share: one PostgreSQL database through libpq, the same contract as
/// SQLiteMetadataStore (executions and nodes, cache, lineage, leases, the registry and schedules) and the
/// same schema versions (PostgresSchema.swift). One connection, its statements prepared once; the engine's
/// group commit writes each batch in one transaction.
public final class PostgresStore: Sendable {
    public static var schemaVersion: Int { migrations.count }

    private let connection: Mutex<ConnectionBox>
    /// The URL without its password: what errors and people see.
    public let displayURL: String

    struct ConnectionBox: @unchecked Sendable { let connection: PostgresConnection }  // guarded by the Mutex

    /// Connects (once, no retries) to `url` (`postgres://user@host:port/db`) and brings the schema up to date.
    /// `password` overrides the URL's; without either, libpq reads `PGPASSWORD` and `~/.pgpass`. A schema
    /// written by a newer Aloft is refused rather than misread. Errors never show the password.
    public init(url: String, password: String? = nil) throws {
        let connection = try PostgresConnection(url: url, password: password)
        displayURL = connection.displayURL
        try Self.migrate(connection)
        self.connection = Mutex(ConnectionBox(connection: connection))
    }

    /// Whether `location` names a PostgreSQL server rather than a directory.
    public static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Applies every missing migration in one transaction, under an advisory lock so that openers take turns
    /// and the second finds the schema current.
    private static func migrate(_ db: PostgresConnection) throws {
        try db.transaction {
            try db.execute("SELECT pg_advisory_xact_lock(7415021)")
            try db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            let current = Int(try db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0] ?? "0") ?? 0
            if current > migrations.count {
                throw StoreError.newerSchema(path: db.displayURL, found: current, supported: migrations.count)
            }
            for version in migrations.indices.map({ $0 + 1 }) where version > current {
                try db.execute(migrations[version - 1])
                try db.update(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    [String(version), String(Int64(Date().timeIntervalSince1970))])
            }
        }
    }

    @discardableResult
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try connection.withLock { box in
            box.connection.resetIfBroken()
            return try body(box.connection)
        }
    }
}

/// Column values as the PostgreSQL store writes and reads them (text parameters, text results).
enum PG {
    static func int(_ n: Int64) -> String { String(n) }
    static func time(_ d: Date) -> String { String(millis(d)) }
    static func date(_ text: String?) -> Date { Date(timeIntervalSince1970: Double(Int64(text ?? "") ?? 0) / 1000) }
    static func integer(_ text: String?) -> Int64 { Int64(text ?? "") ?? 0 }
}
