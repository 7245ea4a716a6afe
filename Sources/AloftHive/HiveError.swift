/// Why a HiveServer2 call failed, in the terms a caller decides on: the server refused the statement (its
/// message and SQLSTATE), the handle is unknown, the credentials were refused, the server could not be
/// reached, or the bytes were not what TCLIService sends.
public struct HiveError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// TStatus ERROR_STATUS, or an operation that ended in ERROR_STATE.
        case server
        /// TStatus INVALID_HANDLE_STATUS (or a server message saying the handle is unknown).
        case invalidHandle
        /// HTTP 401/403, or a SASL exchange the server refused.
        case credentials
        /// An HTTP answer other than 200 (5xx: the server's trouble).
        case http(Int)
        /// No answer: connection refused, timed out, reset.
        case unreachable
        /// Bytes that are not a TCLIService answer.
        case protocolError
    }

    public let kind: Kind
    public let message: String
    public var sqlState: String?
    public var errorCode: Int32?
    /// A transport error that may pass (timeouts, refused connections, 5xx).
    public var isTransient: Bool

    public init(
        _ kind: Kind, _ message: String, sqlState: String? = nil, errorCode: Int32? = nil, isTransient: Bool = false
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.errorCode = errorCode
        self.isTransient = isTransient
    }

    public var description: String {
        var text = message
        if let sqlState, !sqlState.isEmpty { text += " (SQLSTATE \(sqlState))" }
        return text
    }

    static func from(_ status: HiveStatus, call: String) -> HiveError {
        let message =
            status.errorMessage.flatMap { $0.isEmpty ? nil : $0 } ?? "\(call) failed with status \(status.code)"
        let invalid =
            status.code == HiveStatus.Code.invalidHandle.rawValue || message.contains("Invalid SessionHandle")
            || message.contains("Invalid OperationHandle")
        return HiveError(
            invalid ? .invalidHandle : .server, message, sqlState: status.sqlState, errorCode: status.errorCode)
    }
}
