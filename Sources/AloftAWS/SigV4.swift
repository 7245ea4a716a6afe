public import AloftHTTP

#if canImport(Glibc)
import Glibc
#endif

/// AWS Signature Version 4 (the `Authorization` header form): canonical request, string to sign, a signing
/// key derived per date/region/service, HMAC-SHA256 signature. Session tokens go in `X-Amz-Security-Token`.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
public struct SigV4Signer: Sendable {
    public var region: String
    public var service: String
    /// S3 signs the path as sent (encoded once, not normalized) and wants `x-amz-content-sha256`.
    public var isS3: Bool { service == "s3" }

    public init(region: String, service: String) {
        self.region = region
        self.service = service
    }

    /// Headers never signed: proxies and clients change them (and moto leaves them out when it checks).
    static let unsigned: Set<String> = [
        "user-agent", "expect", "transfer-encoding", "x-amzn-trace-id", "authorization", "connection",
    ]

    /// Adds Host, X-Amz-Date, X-Amz-Security-Token (with a session token), x-amz-content-sha256 (S3), and
    /// Authorization to the request.
    public func sign(_ request: inout HTTPRequest, credentials: AWSCredentials, now: AWSTimestamp = .now()) {
        guard let url = URLParts(request.url) else { return }
        let payloadHash = request.header("x-amz-content-sha256") ?? Digest.sha256Hex(request.body)
        request.setHeader("Host", url.hostHeader)
        request.setHeader("X-Amz-Date", now.amzDate)
        if isS3 { request.setHeader("x-amz-content-sha256", payloadHash) }
        if let token = credentials.sessionToken { request.setHeader("X-Amz-Security-Token", token) }
        let headers = request.headers.filter { !Self.unsigned.contains($0.name.lowercased()) }
        let authorization = self.authorization(
            method: request.method, path: url.path, query: url.query, headers: headers,
            payloadHash: payloadHash, credentials: credentials, amzDate: now.amzDate)
        request.setHeader("Authorization", authorization)
    }

    // MARK: - the steps, each testable against AWS's published vectors

    public func canonicalRequest(
        method: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], payloadHash: String
    ) -> String {
        let canonicalPath = URIEncoding.encode(isS3 ? path : Self.normalize(path), keepSlash: true)
        let canonicalQuery = query.map { (URIEncoding.encode($0.name), URIEncoding.encode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        return [method, canonicalPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(
            separator: "\n")
    }

    public func scope(date: String) -> String { "\(date)/\(region)/\(service)/aws4_request" }

    public func stringToSign(canonicalRequest: String, amzDate: String) -> String {
        "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope(date: String(amzDate.prefix(8))))\n\(Digest.sha256Hex(Array(canonicalRequest.utf8)))"
    }

    public func signingKey(secret: [UInt8], date: String) -> [UInt8] {
        let kDate = Digest.hmacSHA256(key: Array("AWS4".utf8) + secret, Array(date.utf8))
        let kRegion = Digest.hmacSHA256(key: kDate, Array(region.utf8))
        let kService = Digest.hmacSHA256(key: kRegion, Array(service.utf8))
        return Digest.hmacSHA256(key: kService, Array("aws4_request".utf8))
    }

    public func authorization(
        method: String, path: String, query: [(name: String, value: String)], headers: [(name: String, value: String)],
        payloadHash: String, credentials: AWSCredentials, amzDate: String
    ) -> String {
        let request = canonicalRequest(
            method: method, path: path, query: query, headers: headers, payloadHash: payloadHash)
        let toSign = stringToSign(canonicalRequest: request, amzDate: amzDate)
        let date = String(amzDate.prefix(8))
        let signature = Digest.hex(
            Digest.hmacSHA256(key: signingKey(secret: credentials.secretAccessKey, date: date), Array(toSign.utf8)))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(date: date)), "
            + "SignedHeaders=\(Self.canonicalHeaders(headers).signed), Signature=\(signature)"
    }

    /// Lower-case names, values trimmed with inner runs of spaces collapsed, repeated names joined with `,`
    /// in order, sorted by name.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (text: String, signed: String) {
        var byName: [String: [String]] = [:]
        for h in headers {
            let value = h.value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            byName[h.name.lowercased(), default: []].append(value)
        }
        let names = byName.keys.sorted()
        let text = names.map { "\($0):\(byName[$0]!.joined(separator: ","))\n" }.joined()
        return (text, names.joined(separator: ";"))
    }

    /// RFC 3986 dot-segment removal, with empty segments (`//`) collapsed, as AWS's services canonicalize.
    static func normalize(_ path: String) -> String {
        var out: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = out.popLast()
            default: out.append(segment)
            }
        }
        let trailing = path.count > 1 && path.hasSuffix("/") && !out.isEmpty
        return "/" + out.joined(separator: "/") + (trailing ? "/" : "")
    }
}

/// The time of a signature, as `YYYYMMDDTHHMMSSZ`.
public struct AWSTimestamp: Sendable {
    public let amzDate: String

    public init(amzDate: String) { self.amzDate = amzDate }

    public static func now() -> AWSTimestamp {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return AWSTimestamp(
            amzDate:
                "\(tm.tm_year + 1900)\(two(tm.tm_mon + 1))\(two(tm.tm_mday))T\(two(tm.tm_hour))\(two(tm.tm_min))\(two(tm.tm_sec))Z"
        )
    }
}
