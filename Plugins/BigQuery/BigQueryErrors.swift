import AloftGoogle
import PluginKit

/// How BigQuery's refusals and failed jobs become task errors: a wrong query or request is the user's
/// (permanent), with BigQuery's message and location; rate limits, backend errors, 5xx and lost connections
/// are retryable system errors; credentials refused are a permanent user error `Credentials` (naming the
/// service account, never the key or a token).
extension PluginError {
    init(_ error: BigQueryError) {
        let code = error.reason.isEmpty ? Self.code(error.kind) : error.reason
        switch error.kind {
        case .invalid, .notFound, .duplicate, .accessDenied:
            self = .user(error.description, code: code, retryable: false)
        case .credentials: self = .user(error.description, code: "Credentials", retryable: false)
        case .quota, .rateLimited, .backend, .transport: self = .system(error.description, code: code, retryable: true)
        }
    }

    private static func code(_ kind: BigQueryError.Kind) -> String {
        switch kind {
        case .invalid: return "Invalid"
        case .notFound: return "NotFound"
        case .duplicate: return "Duplicate"
        case .credentials: return "Credentials"
        case .accessDenied: return "AccessDenied"
        case .quota: return "QuotaExceeded"
        case .rateLimited: return "RateLimited"
        case .backend: return "BackendError"
        case .transport: return "Unreachable"
        }
    }
}
