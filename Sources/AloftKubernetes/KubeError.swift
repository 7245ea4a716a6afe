/// An API call that failed, mapped from its status and the server's `Status` object. The message names the
/// call and the server's reason; never a credential.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// 401: the token or certificate was refused.
        case unauthorized
        /// 403: authenticated, but RBAC does not allow the call.
        case forbidden
        /// 404 on a call other than get (which answers nil).
        case notFound
        /// 409 on an update whose resourceVersion is stale, or on a create that is not ours.
        case conflict
        /// 410: a list or watch resourceVersion too old to serve.
        case gone
        /// 422 (or 400): the object was refused as invalid.
        case invalid
        /// 429 or 5xx that outlived the retries, or no answer at all.
        case unavailable
        case other
    }

    public let kind: Kind
    public let status: Int
    public let message: String

    public init(kind: Kind, status: Int, message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    /// Whether trying again later can help (the server was busy or unreachable, or a stale read).
    public var retryable: Bool { kind == .unavailable || kind == .gone || kind == .conflict }

    public var description: String { message }

    static func kind(status: Int) -> Kind {
        switch status {
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 409: return .conflict
        case 410: return .gone
        case 400, 422: return .invalid
        case 429, 500...599: return .unavailable
        default: return .other
        }
    }
}
