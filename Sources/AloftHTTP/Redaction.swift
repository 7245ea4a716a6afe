/// What of a request may be written to a log: header values and query parameters that carry credentials
/// are replaced by `<redacted>`. The body is never logged.
public enum Redaction {
    public static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-amz-security-token", "x-amz-content-sha256-secret", "cookie",
        "set-cookie",
        "x-api-key", "x-goog-api-key",
    ]
    public static let sensitiveQuery: Set<String> = [
        "x-amz-signature", "x-amz-security-token", "x-amz-credential", "access_token", "key", "sig", "signature",
        "token",
    ]

    public static func url(_ url: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return url }
        let base = url[..<q]
        let pairs = url[url.index(after: q)...].split(separator: "&", omittingEmptySubsequences: false).map {
            pair -> String in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return sensitiveQuery.contains(name.lowercased()) ? name + "=<redacted>" : String(pair)
        }
        return base + "?" + pairs.joined(separator: "&")
    }

    public static func headers(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        headers.map { sensitiveHeaders.contains($0.name.lowercased()) ? ($0.name, "<redacted>") : $0 }
    }
}
