public import AloftWire

/// The deterministic id of one task execution (project, domain, execution, node, attempt): plugins use it
/// as the external job name, which is what makes submit idempotent across host restarts.
///
/// Form: lowercase `[a-z0-9-]`, starts with a letter, at most 63 characters (a Kubernetes name, a SageMaker
/// or BigQuery job name, a container name). Readable when it fits (`<execution>-<node>-<attempt>`);
/// otherwise shortened with a hash of the full identity, so distinct executions never share an id.
public enum TaskExecutionID {
    public static let maxLength = 63

    public static func make(_ identity: ExecutionIdentity) -> String {
        let attempt = String(identity.attempt)
        // The hash always goes in: the readable part alone loses project/domain and the characters
        // sanitize drops, either of which could make two executions collide. It is FNV-1a of
        // "project/domain/execution/node/attempt", fed part by part (one id per attempt: no string is built).
        var hash = FNV1a.offsetBasis
        for (i, part) in [identity.project, identity.domain, identity.execution, identity.node, attempt].enumerated() {
            if i > 0 { hash = FNV1a.feed(UInt8(ascii: "/"), into: hash) }
            for byte in part.utf8 { hash = FNV1a.feed(byte, into: hash) }
        }
        let suffix = "-" + hex12(hash)
        let readable = identity.execution + "-" + identity.node + "-" + attempt
        let room = maxLength - suffix.utf8.count
        return (asciiHead(readable, room: room) ?? head(readable, room: room)) + suffix
    }

    /// The first 12 of the hash's 16 lowercase hex digits.
    private static func hex12(_ hash: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 12)
        for i in 0..<12 { out[i] = digits[Int((hash >> UInt64(60 - 4 * i)) & 0xF)] }
        return String(decoding: out, as: UTF8.self)
    }

    /// The id's readable part: `readable` sanitized, at most `room` characters, starting with a letter and
    /// not ending in `-`.
    static func head(_ readable: String, room: Int) -> String {
        var head = Substring(sanitize(readable).prefix(room))
        while head.hasPrefix("-") { head.removeFirst() }
        if head.first.map({ !$0.isLetter }) ?? true { head = ("a-" + head).prefix(room) }
        while head.hasSuffix("-") { head.removeLast() }
        return String(head)
    }

    /// `head` for an all-ASCII `readable` (every id the engine makes, one per attempt), on bytes instead of
    /// Characters; nil for anything else.
    static func asciiHead(_ readable: String, room: Int) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(readable.utf8.count)
        var lastDash = false
        for byte in readable.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.append(byte)
                lastDash = false
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                out.append(byte + 32)
                lastDash = false
            case 0x80...: return nil
            default:
                if !lastDash { out.append(UInt8(ascii: "-")) }
                lastDash = true
            }
        }
        var head = out.prefix(room)
        while head.first == UInt8(ascii: "-") { head.removeFirst() }
        let startsWithLetter = head.first.map({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }) ?? false
        if !startsWithLetter {
            head = ([UInt8(ascii: "a"), UInt8(ascii: "-")] + head).prefix(room)
        }
        while head.last == UInt8(ascii: "-") { head.removeLast() }
        return String(decoding: head, as: UTF8.self)
    }

    static func sanitize(_ s: String) -> String {
        var out = ""
        var lastDash = false
        for ch in s.lowercased().unicodeScalars {
            if (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") {
                out.unicodeScalars.append(ch)
                lastDash = false
            } else if !lastDash {
                out += "-"
                lastDash = true
            }
        }
        return out
    }
}
