import CSQLite
import FoundationEssentials
import Glibc

/// A SQLite connection: prepared statements, transactions, typed errors. One connection, used from one
/// thread at a time (the store serializes access).
final class SQLiteDatabase {
    struct Failure: Error, CustomStringConvertible {
        let code: Int32
        let message: String
        var description: String { "SQLite error \(code): \(message)" }
    }

    private(set) var handle: OpaquePointer?
    /// Keeps the context of this connection's WAL hook alive as long as the connection (see WALCheckpointer).
    var walCheckpointer: WALCheckpointer?
    let path: String
    /// Prepared once, reused: preparing costs more than running a small statement.
    private var statements: [String: Statement] = [:]

    /// Process-wide settings, before SQLite's first open initializes it.
    private static let configured: Void = { _ = aloft_sqlite_no_memory_statistics() }()

    /// `privateFile`: a new file no other connection opens until it is finished (a store being created): no
    /// journal and no syncs while it is written (`finishPrivate` switches it to WAL and syncs it once).
    init(path: String, privateFile: Bool = false) throws(Failure) {
        self.path = path
        _ = Self.configured
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            handle = nil
            throw Failure(code: rc, message: "\(path): \(message)")
        }
        sqlite3_busy_timeout(handle, 10_000)
        if privateFile {
            // Written whole and synced once before anyone can open it: a crash meanwhile leaves a file nobody
            // uses. Eight fsyncs and a write-ahead log copied into the file were a quarter of a new store's cost.
            try execute("PRAGMA journal_mode=OFF")
            try execute("PRAGMA synchronous=OFF")
            return
        }
        // WAL: readers (aloft executions list) never block the engine's writer; synchronous=NORMAL is
        // durable across process crashes (a SIGKILL loses nothing committed) and cheap.
        // Switching a new file to WAL needs an exclusive lock and SQLite answers BUSY at once (no busy
        // handler) when another process is opening the same new store: retry for up to the busy timeout.
        var attempts = 0
        while true {
            do {
                try execute("PRAGMA journal_mode=WAL")
                break
            } catch  where (error.code == SQLITE_BUSY || error.code == SQLITE_LOCKED) && attempts < 1000 {
                attempts += 1
                usleep(10_000)
            }
        }
        try execute("PRAGMA synchronous=NORMAL")
        try execute("PRAGMA foreign_keys=ON")
        // The log is checkpointed as it grows, not at exit: a checkpoint on close was a third of a short
        // command's exit. The next process to open the store reads the log back (about 2 µs a page), so it is
        // checkpointed every 256 pages (1 MB) rather than SQLite's 1000, which made every open read up to 4 MB.
        // A store's writing connection hands its checkpoints to a thread of their own (WALCheckpointer).
        aloft_sqlite_no_checkpoint_on_close(handle)
        try execute("PRAGMA wal_autocheckpoint=256")
    }

    /// A private file written (see `init(path:privateFile:)`): switched to WAL, as every opener expects, and
    /// its bytes synced to the disk.
    func finishPrivate() throws(Failure) {
        try execute("PRAGMA journal_mode=WAL")
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            let why = String(cString: strerror(errno))
            if fd >= 0 { close(fd) }
            throw Failure(code: SQLITE_IOERR, message: "\(path): cannot sync the new file: \(why)")
        }
        close(fd)
    }

    deinit {
        statements.removeAll()  // finalize statements before closing
        sqlite3_close_v2(handle)
    }

    /// Rows the last INSERT, UPDATE or DELETE changed.
    var changes: Int { Int(sqlite3_changes(handle)) }

    func execute(_ sql: String) throws(Failure) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(error)
            throw Failure(code: rc, message: message)
        }
    }

    func prepare(_ sql: String) throws(Failure) -> Statement {
        if let cached = statements[sql] { return cached }
        let statement = try prepareUncached(sql)
        statements[sql] = statement
        return statement
    }

    private func prepareUncached(_ sql: String) throws(Failure) -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw failure(rc) }
        return Statement(stmt, database: self)
    }

    func failure(_ rc: Int32) -> Failure { Failure(code: rc, message: String(cString: sqlite3_errmsg(handle))) }

    /// Runs `body` in one transaction: all of it is committed, or none.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    final class Statement {
        private let stmt: OpaquePointer
        private unowned let database: SQLiteDatabase

        init(_ stmt: OpaquePointer, database: SQLiteDatabase) {
            self.stmt = stmt
            self.database = database
        }

        deinit { sqlite3_finalize(stmt) }

        enum Value {
            case text(String)
            /// Text already in UTF-8 bytes (a literal map's canonical JSON), bound without making a String of it.
            case utf8([UInt8])
            case integer(Int64)
            case blob([UInt8])
            case null
        }

        @discardableResult
        func bind(_ values: [Value]) throws(Failure) -> Statement {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
            for (i, v) in values.enumerated() {
                let index = Int32(i + 1)
                let rc: Int32
                switch v {
                case .text(var s):
                    // With its length, from the string's own bytes: passing the String made a C string copy of
                    // every short one (a node's id, its phase), a heap allocation each, on the store's writer.
                    rc = s.withUTF8 { bindText($0, at: index) }
                case .utf8(let bytes): rc = bytes.withUnsafeBufferPointer { bindText($0, at: index) }
                case .integer(let n): rc = sqlite3_bind_int64(stmt, index, n)
                case .blob(let b):
                    rc = b.withUnsafeBytes {
                        sqlite3_bind_blob(stmt, index, $0.baseAddress, Int32($0.count), aloft_sqlite_transient())
                    }
                case .null: rc = sqlite3_bind_null(stmt, index)
                }
                guard rc == SQLITE_OK else { throw database.failure(rc) }
            }
            return self
        }

        /// UTF-8 bytes as text (SQLite copies them): an empty buffer may have no address, which would bind NULL.
        private func bindText(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int32) -> Int32 {
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite3_bind_text(stmt, index, "", 0, aloft_sqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text(stmt, index, $0, Int32(utf8.count), aloft_sqlite_transient())
            }
        }

        /// Runs a statement that returns no rows.
        func run(_ values: [Value] = []) throws(Failure) {
            try bind(values)
            let rc = sqlite3_step(stmt)
            guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw database.failure(rc) }
            sqlite3_reset(stmt)
        }

        /// Every row, read by `row`.
        func query<T>(_ values: [Value] = [], _ row: (Row) throws -> T) throws -> [T] {
            try bind(values)
            var out: [T] = []
            while true {
                let rc = sqlite3_step(stmt)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw database.failure(rc) }
                out.append(try row(Row(stmt: stmt)))
            }
            sqlite3_reset(stmt)
            return out
        }
    }

    struct Row {
        let stmt: OpaquePointer

        func text(_ i: Int32) -> String? {
            guard sqlite3_column_type(stmt, i) != SQLITE_NULL, let p = sqlite3_column_text(stmt, i) else { return nil }
            return String(cString: p)
        }

        func integer(_ i: Int32) -> Int64 { sqlite3_column_int64(stmt, i) }

        func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }

        func blob(_ i: Int32) -> [UInt8] {
            let n = Int(sqlite3_column_bytes(stmt, i))
            guard n > 0, let p = sqlite3_column_blob(stmt, i) else { return [] }
            return Array(UnsafeRawBufferPointer(start: p, count: n))
        }
    }
}
