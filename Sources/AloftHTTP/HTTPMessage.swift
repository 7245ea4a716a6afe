/// One HTTP request. Header names keep their case for the wire; lookups ignore case.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whole-request time limit; nil uses the client's.
    public var timeoutMilliseconds: Int?
    /// Whether a failed attempt may be sent again (429, 5xx, connection failures). Default: for methods
    /// that are idempotent by definition; a caller whose POST is idempotent (a deterministic name, a
    /// conflict answer it handles) says so.
    public var retryable: Bool

    public init(
        _ method: String, _ url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeoutMilliseconds: Int? = nil, retryable: Bool? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.retryable = retryable ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method)
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        headers.append((name, value))
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// A request that got no HTTP answer (the connection failed, timed out, TLS failed).
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    /// libcurl's CURLcode.
    public let code: Int
    public let message: String
    /// The request's method and URL with secrets redacted.
    public let request: String
    public let attempts: Int

    public var description: String {
        "\(request): \(message)" + (attempts > 1 ? " (after \(attempts) attempts)" : "")
    }

    /// Timeouts and failed connections may succeed later; a bad URL or TLS setup will not.
    public var isTransient: Bool { [6, 7, 28, 52, 55, 56].contains(code) }
}
