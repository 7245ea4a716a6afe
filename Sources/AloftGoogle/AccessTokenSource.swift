public import AloftHTTP
import AloftWire
import Synchronization

#if canImport(Glibc)
public import Glibc
#endif

/// Access tokens for a service account, as Google's client libraries get them: a JWT signed RS256 is posted
/// to the key's `token_uri` (grant type jwt-bearer); the token is cached until shortly before it expires,
/// and dropped when an API answers 401 so the next call fetches a fresh one. One fetch at a time: callers
/// that arrive during a fetch wait for its token instead of asking again.
public final class AccessTokenSource: Sendable {
    public static let bigQueryScope = "https://www.googleapis.com/auth/bigquery"

    public let key: ServiceAccountKey
    public let tokenURI: String
    public let scope: String
    private let http: HTTPClient
    private let now: @Sendable () -> Int64
    private let cached = Mutex<Token?>(nil)
    private let fetchLock = Mutex<Int>(0)  // the number of tokens fetched so far

    struct Token {
        let value: String
        let refreshAt: Int64
    }

    /// `tokenURI` nil uses the key's own.
    public init(
        key: ServiceAccountKey, tokenURI: String? = nil, scope: String = bigQueryScope, http: HTTPClient,
        now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) {
        self.key = key
        self.tokenURI = tokenURI ?? key.tokenURI
        self.scope = scope
        self.http = http
        self.now = now
    }

    /// How many tokens were fetched from the endpoint (not served from the cache).
    public var fetches: Int { fetchLock.withLock { $0 } }

    /// A valid access token: the cached one, or a new one.
    public func token() throws(GoogleAuthError) -> String {
        if let t = fresh() { return t }
        return try fetchLock.withLock { (count: inout Int) throws(GoogleAuthError) -> String in
            if let t = fresh() { return t }  // another caller fetched it while this one waited
            let token = try fetch()
            count += 1
            cached.withLock { $0 = token }
            return token.value
        }
    }

    /// Forgets `token` when an API refused it (401), unless a newer one replaced it meanwhile.
    public func invalidate(_ token: String) {
        cached.withLock { if $0?.value == token { $0 = nil } }
    }

    private func fresh() -> String? {
        let t = now()
        return cached.withLock { c in c.flatMap { $0.refreshAt > t ? $0.value : nil } }
    }

    private func fetch() throws(GoogleAuthError) -> Token {
        let issued = now()
        let assertion = try JWT.assertion(key: key, scope: scope, audience: tokenURI, now: issued)
        let form =
            "grant_type=" + FormEncoding.encode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion="
            + FormEncoding.encode(assertion)
        let request = HTTPRequest(
            "POST", tokenURI, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(form.utf8), retryable: true)
        let who = "the token endpoint \(Redaction.url(tokenURI)) for \(key.clientEmail)"
        let response: HTTPResponse
        do { response = try http.send(request) } catch {
            throw GoogleAuthError("\(who) could not be reached: \(error.message)", retryable: true)
        }
        let doc = try? JSONParser.parse(response.body)
        guard response.isSuccess else {
            // OAuth errors are {error, error_description}; neither carries the assertion or a token.
            let reason = [doc?["error"]?.stringValue, doc?["error_description"]?.stringValue].compactMap { $0 }.joined(
                separator: ": ")
            throw GoogleAuthError(
                "\(who) refused the service account: \(reason.isEmpty ? "no reason given" : reason) (HTTP \(response.status))",
                retryable: response.status >= 500 || response.status == 429)
        }
        guard let value = doc?["access_token"]?.stringValue, !value.isEmpty else {
            throw GoogleAuthError("\(who) answered without an access_token", retryable: true)
        }
        let lifetime = doc?["expires_in"]?.integerValue ?? 3600
        // Refresh five minutes early (half the lifetime for short-lived tokens), so no call carries a token
        // that expires on the way.
        return Token(value: value, refreshAt: issued + max(lifetime - 300, lifetime / 2))
    }
}

/// application/x-www-form-urlencoded values: unreserved characters as they are, everything else %XX.
enum FormEncoding {
    static func encode(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
