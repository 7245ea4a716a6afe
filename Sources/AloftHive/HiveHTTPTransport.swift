public import AloftHTTP
import AloftWire

/// Thrift over HTTP (HiveServer2's `transportMode=http`): each call is one POST of the Thrift message to
/// `http(s)://host:port/<http_path>` with Basic credentials. The server keeps sessions and operations
/// between requests, so handles one process stored work from another.
public struct HiveHTTPTransport: HiveTransport {
    public let url: String
    private let authorization: String
    private let http: HTTPClient
    private let timeoutMilliseconds: Int

    public init(
        host: String, port: Int, path: String = "cliservice", tls: Bool = false, user: String, password: String,
        http: HTTPClient, timeoutMilliseconds: Int = 60_000
    ) {
        let cleanPath = path.hasPrefix("/") ? String(path.dropFirst()) : path
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        url = "\(tls ? "https" : "http")://\(hostPart):\(port)/\(cleanPath)"
        // The server wants Basic credentials on every request (401 otherwise), even with authentication NONE,
        // and refuses an empty password there (its header parser drops it): without one, send a placeholder
        // that servers without authentication ignore, as pyhive does.
        authorization = "Basic " + Base64.encode(Array("\(user):\(password.isEmpty ? "x" : password)".utf8))
        self.http = http
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public func roundTrip(_ message: [UInt8], idempotent: Bool) throws(HiveError) -> [UInt8] {
        let request = HTTPRequest(
            "POST", url,
            headers: [
                ("Content-Type", "application/x-thrift"), ("Accept", "application/x-thrift"),
                ("Authorization", authorization),
            ],
            body: message, timeoutMilliseconds: timeoutMilliseconds, retryable: idempotent)
        let response: HTTPResponse
        do { response = try http.send(request) } catch {
            throw HiveError(
                .unreachable, "HiveServer2 at \(url) did not answer: \(error.message)", isTransient: error.isTransient)
        }
        switch response.status {
        case 200: return response.body
        case 401, 403:
            throw HiveError(.credentials, "HiveServer2 at \(url) refused the credentials (HTTP \(response.status))")
        default:
            let text = String(response.text.prefix(300))
            throw HiveError(
                .http(response.status),
                "HiveServer2 at \(url) answered HTTP \(response.status)" + (text.isEmpty ? "" : ": \(text)"),
                isTransient: RetryPolicy.shouldRetry(status: response.status))
        }
    }
}
