public import AloftHTTP
public import AloftWire

/// What BigQuery said when it refused a request or a job failed, or why it could not be reached, classified
/// for what to do next. Built from the API's error body (`{"error": {code, message, errors: [{reason,
/// message, location}]}}`) or a job's `status.errorResult`.
public struct BigQueryError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request or query is wrong (invalidQuery, invalid, ...): the user's to fix.
        case invalid
        case notFound
        /// 409: a job with this id exists.
        case duplicate
        /// 401, or the token could not be had: fix the credentials.
        case credentials
        /// 403 accessDenied and the like: the account may not do this.
        case accessDenied
        /// Quota exceeded: wait for resources.
        case quota
        /// Rate limited (rateLimitExceeded, 429): try again soon.
        case rateLimited
        /// BigQuery failed (backendError, internalError, 5xx): try again.
        case backend
        /// No answer at all.
        case transport
    }

    public let kind: Kind
    public let status: Int
    /// BigQuery's reason, e.g. invalidQuery, notFound, quotaExceeded.
    public let reason: String
    public let message: String
    /// Where in the request the problem is, e.g. "query", when BigQuery says.
    public let location: String?
    /// What was being done, e.g. "BigQuery jobs.insert" (no secrets).
    public let operation: String

    public var retryable: Bool { [.quota, .rateLimited, .backend, .transport].contains(kind) }

    public var description: String {
        "\(operation): " + (reason.isEmpty ? "" : "\(reason): ") + message
            + (location.map { " (location: \($0))" } ?? "")
            + (status > 0 ? " (HTTP \(status))" : "")
    }

    public init(
        kind: Kind, status: Int = 0, reason: String = "", message: String, location: String? = nil, operation: String
    ) {
        self.kind = kind
        self.status = status
        self.reason = reason
        self.message = message
        self.location = location
        self.operation = operation
    }

    static let retryableReasons: Set<String> = ["backendError", "internalError", "jobBackendError", "jobInternalError"]
    static let rateReasons: Set<String> = ["rateLimitExceeded", "userRateLimitExceeded", "jobRateLimitExceeded"]
    static let quotaReasons: Set<String> = ["quotaExceeded"]
    static let credentialReasons: Set<String> = ["authError", "unauthorized"]
    static let accessReasons: Set<String> = [
        "accessDenied", "forbidden", "billingNotEnabled", "responseTooLarge", "billingTierLimitExceeded",
    ]

    /// The kind of a reason, whatever the status (a job's errorResult has none).
    public static func kind(reason: String, status: Int) -> Kind {
        if rateReasons.contains(reason) || status == 429 { return .rateLimited }
        if quotaReasons.contains(reason) { return .quota }
        if retryableReasons.contains(reason) || status >= 500 { return .backend }
        if credentialReasons.contains(reason) || status == 401 { return .credentials }
        if reason == "duplicate" || status == 409 { return .duplicate }
        if reason == "notFound" || status == 404 { return .notFound }
        if accessReasons.contains(reason) || status == 403 { return .accessDenied }
        return .invalid
    }

    /// An error answer of the REST API.
    public init(response: HTTPResponse, operation: String) {
        let doc = try? JSONParser.parse(response.body)
        let error = doc?["error"]
        let first = error?["errors"]?.arrayValue?.first
        let reason = first?["reason"]?.stringValue ?? ""
        var message = error?["message"]?.stringValue ?? first?["message"]?.stringValue ?? ""
        if message.isEmpty { message = response.status == 404 ? "not found" : String(response.text.prefix(200)) }
        self.init(
            kind: Self.kind(reason: reason, status: response.status), status: response.status, reason: reason,
            message: message,
            location: first?["location"]?.stringValue, operation: operation)
    }

    /// A finished job's `status.errorResult`.
    public init(errorResult: JSON, operation: String) {
        let reason = errorResult["reason"]?.stringValue ?? ""
        self.init(
            kind: Self.kind(reason: reason, status: 0), reason: reason,
            message: errorResult["message"]?.stringValue ?? "no message",
            location: errorResult["location"]?.stringValue, operation: operation)
    }

    public init(transport: HTTPTransportError, operation: String) {
        self.init(kind: .transport, message: transport.message, operation: operation)
    }

    public init(auth: GoogleAuthError, operation: String) {
        self.init(
            kind: auth.retryable ? .transport : .credentials, reason: auth.retryable ? "" : "credentials",
            message: auth.message,
            operation: operation)
    }
}
