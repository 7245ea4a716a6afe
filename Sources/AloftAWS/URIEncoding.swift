import AloftSystem
import FoundationEssentials

/// RFC 3986 percent-encoding as SigV4 wants it: every byte outside `A-Za-z0-9-._~` as `%XX` (upper case),
/// `/` kept in paths.
public enum URIEncoding {
    public static func encode(_ s: String, keepSlash: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: "/") where keepSlash: out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `%XX` back to bytes (invalid escapes stay as written); `+` is left alone (not form encoding).
    public static func decode(_ s: Substring) -> String {
        var out = [UInt8]()
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let h = bytes[i + 1].hexDigitValue,
                let l = bytes[i + 2].hexDigitValue
            {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

}

/// The parts of an http(s) URL that signing needs.
public struct URLParts: Sendable, Equatable {
    public var scheme: String
    /// host[:port] exactly as the Host header carries it (default ports left out).
    public var hostHeader: String
    /// Percent-decoded path.
    public var path: String
    /// Percent-decoded name/value pairs, in order.
    public var query: [(name: String, value: String)]

    public static func == (a: URLParts, b: URLParts) -> Bool {
        a.scheme == b.scheme && a.hostHeader == b.hostHeader && a.path == b.path
            && a.query.elementsEqual(b.query) { $0 == $1 }
    }

    public init?(_ url: String) {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        scheme = String(url[..<schemeEnd.lowerBound]).lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        if (scheme == "http" && authority.hasSuffix(":80")) || (scheme == "https" && authority.hasSuffix(":443")) {
            authority = String(authority[..<authority.lastIndex(of: ":")!])
        }
        guard !authority.isEmpty else { return nil }
        hostHeader = authority
        let target = rest[authorityEnd...]
        let queryStart = target.firstIndex(of: "?")
        let rawPath = queryStart.map { target[..<$0] } ?? target
        path = rawPath.isEmpty ? "/" : URIEncoding.decode(rawPath)
        query = []
        if let queryStart {
            for pair in target[target.index(after: queryStart)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append((URIEncoding.decode(parts[0]), parts.count > 1 ? URIEncoding.decode(parts[1]) : ""))
            }
        }
    }
}
