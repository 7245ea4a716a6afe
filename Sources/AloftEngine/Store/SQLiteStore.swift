import AloftWire
import Foundation
import Synchronization

/// The embedded default store: one SQLite file (WAL), versioned schema migrations, SQL kept portable to
/// PostgreSQL (TEXT, INTEGER, BLOB; no SQLite-only functions in queries).
public final class SQLiteMetadataStore: Sendable {
    public static var schemaVersion: Int { migrations.count }

    private let db: Mutex<SQLiteDatabaseBox>

    struct SQLiteDatabaseBox: @unchecked Sendable { let db: SQLiteDatabase }  // guarded by the Mutex

    /// Opens (creating if needed) the store at `path` and brings its schema up to date. A store written by a
    /// newer Aloft is refused rather than misread.
    public init(path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // An empty file is not a new store: SQLite would quietly make one, and every recorded execution would
        // seem gone. (A store whose pages are still all in its write-ahead log is fine.)
        if Self.size(path) == 0 && (Self.size(path + "-wal") ?? 0) == 0 { throw StoreError.emptyFile(path: path) }
        let database = try SQLiteDatabase(path: path)
        // The version is read and every missing migration applied inside one write transaction (BEGIN
        // IMMEDIATE): two processes opening a new store at once (`aloft run` and `aloft executions list`)
        // take turns, and the second finds the schema current instead of creating the tables again.
        try database.transaction {
            try database.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")
            let current = try database.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").query { Int($0.integer(0)) }.first ?? 0
            if current > Self.migrations.count {
                throw StoreError.newerSchema(path: path, found: current, supported: Self.migrations.count)
            }
            for version in Self.migrations.indices.map({ $0 + 1 }) where version > current {
                try database.execute(Self.migrations[version - 1])
                try database.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                    .run([.integer(Int64(version)), .integer(Int64(Date().timeIntervalSince1970))])
            }
        }
        db = Mutex(SQLiteDatabaseBox(db: database))
    }

    private static func size(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }

    func withDatabase<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        try db.withLock { box in try body(box.db) }
    }
}

public enum StoreError: Error, CustomStringConvertible {
    case newerSchema(path: String, found: Int, supported: Int)
    case emptyFile(path: String)
    /// A stored row that cannot be read: the table, the row (`execution` or `execution/node`), the column.
    case damagedRow(table: String, row: String, column: String, cause: String)

    public var description: String {
        switch self {
        case .newerSchema(let path, let found, let supported):
            return "\(path): the store's schema is version \(found), newer than this Aloft supports (\(supported)); upgrade Aloft"
        case .emptyFile(let path):
            return "\(path) is an empty file (0 bytes), not a store: it was truncated or never written. "
                + "Move it away to start a new store, or restore it from a backup"
        case .damagedRow(let table, let row, let column, let cause):
            return "the metadata store is damaged: table \(table), \(row), column \(column): \(cause)"
        }
    }
}

func text(_ m: LiteralMap) -> String { String(decoding: m.canonicalBytes, as: UTF8.self) }
/// Times are stored as milliseconds since 1970.
func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
