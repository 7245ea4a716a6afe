import CCurl

#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP client on libcurl for plugins and the host: plugins run on host threads, so a call that
/// waits is the right shape (never call it from Swift's cooperative pool). Retries 429, 5xx and transient
/// transport errors with backoff when the request allows it; reuses connections; speaks over unix sockets;
/// logs each exchange with credentials redacted.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Connect through this unix socket (the Docker/Podman API); the URL's host is then only a name.
        public var unixSocketPath: String?
        public var connectTimeoutMilliseconds = 5_000
        public var requestTimeoutMilliseconds = 60_000
        public var retry = RetryPolicy()
        /// A CA bundle for TLS (OpenSSL's default paths otherwise).
        public var caInfo: String?
        /// A client certificate and its private key (PEM files) for TLS client authentication (Kubernetes).
        public var clientCertificate: String?
        public var clientKey: String?
        /// Called with one line per exchange: method, redacted URL, status or error, time taken.
        public var log: (@Sendable (String) -> Void)?

        public init(
            unixSocketPath: String? = nil, retry: RetryPolicy = RetryPolicy(), log: (@Sendable (String) -> Void)? = nil
        ) {
            self.unixSocketPath = unixSocketPath
            self.retry = retry
            self.log = log
        }
    }

    public let configuration: Configuration
    private let pool = CurlHandlePool()

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Sends the request, retrying as the policy and the request allow. An HTTP answer of any status is a
    /// response (the caller maps statuses to meanings); only a request that got no answer throws.
    public func send(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse {
        let policy = request.retryable ? configuration.retry : .none
        var attempt = 1
        while true {
            let started = Self.nowMilliseconds()
            let result =
                pool.withHandle { easy in
                    easy.perform(
                        request, unixSocket: configuration.unixSocketPath,
                        connectTimeoutMilliseconds: configuration.connectTimeoutMilliseconds,
                        timeoutMilliseconds: request.timeoutMilliseconds ?? configuration.requestTimeoutMilliseconds,
                        caInfo: configuration.caInfo,
                        clientCertificate: configuration.clientCertificate, clientKey: configuration.clientKey)
                }
                ?? .failure(
                    CurlFailure(
                        code: 2,
                        message: aloft_curl_load_error().map { String(cString: $0) }
                            ?? "libcurl could not make a handle"))
            let elapsed = Self.nowMilliseconds() - started
            let what = "\(request.method) \(Redaction.url(request.url))"
            switch result {
            case .success(let response):
                configuration.log?(
                    "\(what) -> \(response.status) in \(elapsed) ms" + (attempt > 1 ? " (attempt \(attempt))" : ""))
                guard RetryPolicy.shouldRetry(status: response.status), attempt < policy.maxAttempts else {
                    return response
                }
                Self.sleep(
                    milliseconds: policy.delayMilliseconds(after: attempt, retryAfter: response.header("Retry-After")))
            case .failure(let failure):
                configuration.log?("\(what) -> error \(failure.code): \(failure.message) in \(elapsed) ms")
                let error = HTTPTransportError(
                    code: failure.code, message: failure.message, request: what, attempts: attempt)
                guard error.isTransient, attempt < policy.maxAttempts else { throw error }
                Self.sleep(milliseconds: policy.delayMilliseconds(after: attempt, retryAfter: nil))
            }
            attempt += 1
        }
    }

    static func nowMilliseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }

    static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}
