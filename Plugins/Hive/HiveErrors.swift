import AloftHive
import PluginKit

/// How HiveServer2's failures become task errors: a statement the server refuses is the user's (its message
/// and SQLSTATE, not retried); refused credentials and a wrong endpoint are the user's to fix; an unreachable
/// server, 5xx answers and a lost operation are retryable system errors.
enum HiveErrors {
    static func call<T>(_ what: String, _ body: () throws(HiveError) -> T) throws(PluginError) -> T {
        do { return try body() } catch { throw map(error, what) }
    }

    static func map(_ error: HiveError, _ what: String) -> PluginError {
        switch error.kind {
        case .server:
            return .user(
                "the Hive server refused the statement: \(error.description)",
                code: error.sqlState.map { "SQLSTATE \($0)" } ?? "QueryFailed")
        case .invalidHandle:
            return .system(
                "\(what): the Hive server no longer knows this session or operation (was it restarted?): \(error.message)",
                code: "OperationLost", retryable: true)
        case .credentials:
            return .user(
                "\(what): \(error.message); check plugins.config.\"aloft.hive\".user and the password secret",
                code: "Credentials")
        case .http(let status) where (400..<500).contains(status) && status != 429:
            return .user(
                "\(what): \(error.message); check http_path and the server's transport mode", code: "BadEndpoint")
        case .http:
            return .system("\(what): \(error.message)", code: "ServerError", retryable: true)
        case .unreachable:
            return .system("\(what): \(error.message)", code: "Unreachable", retryable: true)
        case .protocolError:
            return .system("\(what): \(error.message)", code: "Protocol", retryable: false)
        }
    }
}
