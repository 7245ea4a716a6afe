import FoundationEssentials
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

    /// How long a statement waits for a lost server to come back (a restart) before it fails.
    static let reconnectPatience: Duration = .seconds(60)

    /// Runs `body` on the connection. When the server went away (a restart) during it, reconnects and runs it
    /// once more: a body is one statement or one transaction, and a transaction cut off was rolled back.
    @discardableResult
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try connection.withLock { box in
            if box.connection.isBroken { _ = box.connection.reconnect(patience: Self.reconnectPatience) }
            do { return try body(box.connection) } catch  where Self.isConnectionLoss(error, box.connection) {
                guard box.connection.reconnect(patience: Self.reconnectPatience) else { throw error }
                return try body(box.connection)
            }
        }
    }

    /// SQLSTATE class 08 (connection exception) and 57P01-57P03 (the server shutting down or starting).
    private static func isConnectionLoss(_ error: any Error, _ db: PostgresConnection) -> Bool {
        if db.isBroken { return true }
        guard let state = (error as? PostgresConnection.Failure)?.sqlState else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }
}

/// Column values as the PostgreSQL store writes and reads them (text parameters, text results).
enum PG {
    static func int(_ n: Int64) -> String { String(n) }
    static func time(_ d: Date) -> String { String(millis(d)) }
    static func date(_ text: String?) -> Date { Date(timeIntervalSince1970: Double(Int64(text ?? "") ?? 0) / 1000) }
    static func integer(_ text: String?) -> Int64 { Int64(text ?? "") ?? 0 }
}
