import AloftSystem
import AloftWire
import FoundationEssentials
import Glibc
import Synchronization

/// The embedded default store: one SQLite file (WAL), versioned schema migrations, SQL kept portable to
/// PostgreSQL (TEXT, INTEGER, BLOB; no SQLite-only functions in queries).
public final class SQLiteMetadataStore: Sendable {
    public static var schemaVersion: Int { migrations.count }

    private let db: Mutex<SQLiteDatabaseBox>
    /// A second connection, opened when first needed, for the engine's cache lookups: with WAL it reads while
    /// the first one commits, so a lookup from a node's task does not wait behind the group-commit writer.
    private let reader = Mutex<SQLiteDatabaseBox?>(nil)
    private let path: String
    /// Checkpoints the log beside the writer's commits, not inside them.
    private let checkpointer: WALCheckpointer
    /// Beside the store's file: see ExecutionStore.callJournalRoot.
    public let callJournalRoot: String?

    struct SQLiteDatabaseBox: @unchecked Sendable { let db: SQLiteDatabase }  // guarded by the Mutex

    /// Opens (creating if needed) the store at `path` and brings its schema up to date. A store written by a
    /// newer Aloft is refused rather than misread.
    public init(path: String) throws {
        try FileManager.default.createDirectory(
            atPath: PathString.parent(path), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            try Self.create(path)
        } else if Self.size(path) == 0 && (Self.size(path + "-wal") ?? 0) == 0 {
            // A new store only ever appears whole (see create), so an empty file is a damaged one: SQLite would
            // quietly make a new store of it, and every recorded execution would seem gone.
            throw StoreError.emptyFile(path: path)
        }
        let database = try SQLiteDatabase(path: path)
        try Self.migrate(database, path: path)
        checkpointer = WALCheckpointer(path: path)
        database.checkpoint(by: checkpointer)
        db = Mutex(SQLiteDatabaseBox(db: database))
        self.path = path
        callJournalRoot = PathString.parent(path) + "/calls"
    }

    deinit {
        finishing()
        checkpointer.stop()
    }

    public func finishing() { db.withLock { $0.db.finish(checkpointer) } }

    /// How many checkpoints the store's checkpoint thread began, and how many pages its log took meanwhile (see
    /// WALCheckpointer): for tests and diagnostics.
    public var backgroundCheckpoints: (begun: Int, loggedPages: Int) {
        (checkpointer.begun.load(ordering: .relaxed), checkpointer.logged.load(ordering: .relaxed))
    }

    /// Makes a new store whole in a private file and links it into place: openers racing to create the same
    /// store each make one, the first link wins, the others open the winner's.
    private static func create(_ path: String) throws {
        let temporary = path + ".new-\(getpid())-\(UUID().uuidString)"
        defer { for suffix in ["", "-wal", "-shm"] { unlink(temporary + suffix) } }
        do {
            let database = try SQLiteDatabase(path: temporary, privateFile: true)
            try migrate(database, path: path)
            try database.finishPrivate()
        }  // closed here, whole and synced
        guard link(temporary, path) == 0 || errno == EEXIST else {
            throw StoreError.cannotCreate(path: path, cause: String(cString: strerror(errno)))
        }
    }

    /// Brings the schema up to date. The version is read and every missing migration applied inside one write
    /// transaction (BEGIN IMMEDIATE): two processes opening a store at once take turns, and the second finds
    /// the schema current instead of applying the migrations again.
    /// A store already current (every open but the first after an upgrade) is seen with one read and no
    /// write transaction.
    private static func migrate(_ database: SQLiteDatabase, path: String) throws {
        let stored = try? database.prepare("SELECT MAX(version) FROM schema_migrations").query { row in
            Int(row.integer(0))
        }
        if stored?.first == Self.migrations.count {
            return
        }
        try database.transaction {
            try database.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"
            )
            let current =
                try database.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").query {
                    Int($0.integer(0))
                }.first ?? 0
            if current > Self.migrations.count {
                throw StoreError.newerSchema(path: path, found: current, supported: Self.migrations.count)
            }
            for version in Self.migrations.indices.map({ $0 + 1 }) where version > current {
                try database.execute(Self.migrations[version - 1])
                try database.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                    .run([.integer(Int64(version)), .integer(Int64(Date().timeIntervalSince1970))])
            }
        }
    }

    /// stat(2), not FileManager's attributes: those also look up the owner's and group's names (passwd and
    /// group files) on every open.
    private static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    func withDatabase<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        try db.withLock { box in try body(box.db) }
    }

    /// `withDatabase` on the reading connection (see `reader`); on the first one if it cannot be opened.
    func withReader<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        let opened = try reader.withLock { box -> T? in
            if box == nil, let database = try? SQLiteDatabase(path: path) { box = SQLiteDatabaseBox(db: database) }
            guard let box else { return nil }
            return try body(box.db)
        }
        if let opened { return opened }
        return try withDatabase(body)
    }
}

public enum StoreError: Error, CustomStringConvertible {
    case newerSchema(path: String, found: Int, supported: Int)
    case emptyFile(path: String)
    case cannotCreate(path: String, cause: String)
    /// A stored row that cannot be read: the table, the row (`execution` or `execution/node`), the column.
    case damagedRow(table: String, row: String, column: String, cause: String)
    /// A write made only while this process holds the execution's lease (fencing) found another holder, or
    /// none: nothing of it was written. `holder` is who holds it now ("no process" when nobody does).
    case leaseLost(execution: String, holder: String)

    public var description: String {
        switch self {
        case .newerSchema(let path, let found, let supported):
            return
                "\(path): the store's schema is version \(found), newer than this Aloft supports (\(supported)); upgrade Aloft"
        case .emptyFile(let path):
            return "\(path) is an empty file (0 bytes), not a store: it was truncated or never written. "
                + "Move it away to start a new store, or restore it from a backup"
        case .cannotCreate(let path, let cause):
            return "\(path): cannot create the store: \(cause)"
        case .damagedRow(let table, let row, let column, let cause):
            return "the metadata store is damaged: table \(table), \(row), column \(column): \(cause)"
        case .leaseLost(let execution, let holder):
            return "execution \(execution) is driven by \(holder) now: this process lost its lease, and wrote nothing"
        }
    }
}

func text(_ m: LiteralMap) -> String { String(decoding: m.canonicalBytes, as: UTF8.self) }
/// Times are stored as milliseconds since 1970.
func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
