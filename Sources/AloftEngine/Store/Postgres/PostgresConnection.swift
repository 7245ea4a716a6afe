import AloftSystem
import CLibPQ
import FoundationEssentials
import Glibc

/// One libpq connection: prepared statements, parameters and results as text, transactions, errors that
/// name the server by its URL without the password. Used from one thread at a time (the store serializes).
final class PostgresConnection {
    struct Failure: Error, CustomStringConvertible {
        /// The SQLSTATE when the server sent one (`23505` unique violation, `28P01` bad password).
        let sqlState: String?
        let message: String
        var description: String { message }
    }

    private var handle: OpaquePointer?
    /// The URL as it may be shown: without its password.
    let displayURL: String
    private let password: String?
    /// Statement names by SQL text: prepared once per connection, reused.
    private var prepared: [String: String] = [:]

    /// Connects once (no retries): a wrong password or an unreachable server is one clear error. `password`,
    /// when given, overrides the URL's; otherwise libpq reads the URL, `PGPASSWORD` and `~/.pgpass` itself.
    init(url: String, password: String? = nil) throws(Failure) {
        displayURL = Self.redacted(url)
        self.password = password
        var keys = ["connect_timeout", "dbname"]
        var values = ["10", url]
        if let password {
            keys.append("password")
            values.append(password)
        }
        handle = Self.withCStrings(keys) { k in Self.withCStrings(values) { v in PQconnectdbParams(k, v, 1) } }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = scrub(
                handle.map { String(cString: PQerrorMessage($0)) } ?? aloft_libpq_load_error().map {
                    String(cString: $0)
                }
                    ?? "out of memory")
            PQfinish(handle)
            handle = nil
            throw Failure(sqlState: nil, message: "cannot connect to \(displayURL): \(message)")
        }
        try execute("SET client_min_messages = warning")
    }

    deinit { PQfinish(handle) }

    /// Whether the server is gone (restarted, network lost): what failed may succeed after a reconnect.
    var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    /// Tries to reconnect every quarter second for up to `patience` (a server restart takes a few seconds);
    /// whether it did. Quiet: the caller reports one error if it never comes back.
    func reconnect(patience: Duration) -> Bool {
        let deadline = ContinuousClock.now + patience
        while true {
            PQreset(handle)
            prepared = [:]
            if PQstatus(handle) == CONNECTION_OK {
                return (try? execute("SET client_min_messages = warning")) != nil
            }
            if ContinuousClock.now >= deadline { return false }
            usleep(250_000)
        }
    }

    /// Runs one or more statements without parameters (migrations, BEGIN, COMMIT).
    func execute(_ sql: String) throws(Failure) {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result)
    }

    /// Runs a prepared statement; every row, each column as text (nil for NULL).
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws(Failure) -> [[String?]] {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        let rows = PQntuples(result), columns = PQnfields(result)
        return (0..<rows).map { r in
            (0..<columns).map { c in
                PQgetisnull(result, r, c) != 0 ? nil : String(cString: PQgetvalue(result, r, c))
            }
        }
    }

    /// Runs a prepared statement; how many rows it changed.
    @discardableResult
    func update(_ sql: String, _ parameters: [String?] = []) throws(Failure) -> Int {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Runs `body` in one transaction: all of it is committed, or none.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func run(_ sql: String, _ parameters: [String?]) throws(Failure) -> OpaquePointer? {
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            name = "s\(prepared.count + 1)"
            let result = PQprepare(handle, name, sql, 0, nil)
            defer { PQclear(result) }
            try check(result)
            prepared[sql] = name
        }
        let result = Self.withOptionalCStrings(parameters) { values in
            PQexecPrepared(handle, name, Int32(values.count), values, nil, nil, 0)
        }
        do { try check(result) } catch {
            PQclear(result)
            throw error
        }
        return result
    }

    private func check(_ result: OpaquePointer?) throws(Failure) {
        let status = PQresultStatus(result)
        guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK else { return }
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        let message = scrub(
            result.flatMap { String(cString: PQresultErrorMessage($0)) }.flatMap { $0.isEmpty ? nil : $0 }
                ?? String(cString: PQerrorMessage(handle)))
        throw Failure(sqlState: state, message: "PostgreSQL (\(displayURL)): \(message)")
    }

    /// libpq's message on one line, and never the password (libpq does not print it; this makes sure).
    private func scrub(_ message: String) -> String {
        var text = message.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }
            .filter { !$0.isEmpty }.joined(separator: " ")
        if let password, !password.isEmpty { text = text.replacingBytes(of: password, with: "***") }
        return text
    }

    /// The URL without its password (`postgres://user:secret@host/db` -> `postgres://user@host/db`), and
    /// without a `password=` parameter.
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "the PostgreSQL server" }
        parts.password = nil
        parts.queryItems = parts.queryItems?.filter { $0.name != "password" }
        if parts.queryItems?.isEmpty == true { parts.queryItems = nil }
        return parts.string ?? "the PostgreSQL server"
    }

    private static func withCStrings<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        withOptionalCStrings(strings + [nil]) { body($0) }
    }

    private static func withOptionalCStrings<T>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = strings.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}

/// Binary columns (BYTEA) travel as text in hex form: `\x0a1b`.
enum PostgresBytes {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        out.reserveCapacity(2 + bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String?) -> [UInt8] {
        guard let text else { return [] }
        let hex = Array(text.utf8.dropFirst(2))
        func value(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: c &- UInt8(ascii: "A") &+ 10
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(hex.count / 2)
        var i = 0
        while i + 1 < hex.count {
            out.append(value(hex[i]) << 4 | value(hex[i + 1]))
            i += 2
        }
        return out
    }
}
