public import AloftWire
import COpenSSL

/// SHA-256 of canonical bytes, in lowercase hex: equal values hash equally whatever the order of their
/// map keys or the whitespace of the text they were read from. What the cache keys on.
public enum CanonicalHash {
    public static func sha256(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { aloft_sha256(input.baseAddress, input.count, $0.baseAddress) }
        }
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func of(_ literals: LiteralMap) -> String { sha256(literals.canonicalBytes) }

    public static func of(_ literal: Literal) -> String {
        var w = JSONWriter()
        w.write(literal)
        return sha256(w.bytes)
    }

    public static func of(_ types: TypeMap) -> String {
        var w = JSONWriter()
        w.write(typeMap: types)
        return sha256(w.bytes)
    }

    public static func of(_ json: JSON) -> String { sha256(JSONWriter.encode(json)) }
}
