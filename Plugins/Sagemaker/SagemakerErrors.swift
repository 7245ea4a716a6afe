import AloftAWS
import PluginKit

/// How AWS's answers become task errors: a request SageMaker refuses is the user's to fix (permanent);
/// throttling, 5xx and lost connections are retryable system errors; credentials AWS refuses are a
/// permanent error naming the access key id (never the secret).
extension PluginError {
    init(_ error: AWSError) {
        switch error.kind {
        case .client:
            self = .user(
                error.description, code: error.code.isEmpty ? "Rejected" : error.code.rawValue, retryable: false)
        case .credentials: self = .user(error.description, code: "Credentials", retryable: false)
        case .throttled: self = .system(error.description, code: "Throttled", retryable: true)
        case .server:
            self = .system(
                error.description, code: error.code.isEmpty ? "ServiceError" : error.code.rawValue, retryable: true)
        case .transport: self = .system(error.description, code: "Unreachable", retryable: true)
        }
    }
}

extension AWSError {
    /// SageMaker's ways of saying "no such job": ValidationException "Could not find..."/"...not found",
    /// or ResourceNotFound.
    var isNotFound: Bool {
        code == .resourceNotFound
            || (code == .validationException && (message.contains("Could not find") || message.contains("not found")))
    }

    var isAlreadyThere: Bool { code == .resourceInUse }
}
