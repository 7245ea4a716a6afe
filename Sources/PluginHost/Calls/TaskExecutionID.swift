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
        var hash = feed(identity.project, into: FNV1a.offsetBasis)
        hash = feed(identity.domain, into: FNV1a.feed(UInt8(ascii: "/"), into: hash))
        hash = feed(identity.execution, into: FNV1a.feed(UInt8(ascii: "/"), into: hash))
        hash = feed(identity.node, into: FNV1a.feed(UInt8(ascii: "/"), into: hash))
        hash = feed(attempt, into: FNV1a.feed(UInt8(ascii: "/"), into: hash))
        let room = maxLength - 13
        // A chain's thread makes one per node: the readable part sanitized straight into the id, not through
        // the joined string, the sanitized bytes and their prefix (a fifth of what a chain's link cost here).
        let id = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { buffer -> String? in
            var head = ASCIIHead(buffer)
            head.feed(identity.execution)
            head.feed(UInt8(ascii: "-"))
            head.feed(identity.node)
            head.feed(UInt8(ascii: "-"))
            head.feed(attempt)
            return head.string(suffix: hash)
        }
        return id ?? head("\(identity.execution)-\(identity.node)-\(attempt)", room: room) + "-" + hex12(hash)
    }

    private static func feed(_ part: String, into hash: UInt64) -> UInt64 {
        var hash = hash
        for byte in part.utf8 { hash = FNV1a.feed(byte, into: hash) }
        return hash
    }

    /// The first 12 of the hash's 16 lowercase hex digits.
    private static func hex12(_ hash: UInt64) -> String {
        String(unsafeUninitializedCapacity: 12) { out in
            for i in 0..<12 { out[i] = hexDigit(hash >> UInt64(60 - 4 * i)) }
            return 12
        }
    }

    private static func hexDigit(_ nibble: UInt64) -> UInt8 {
        let d = UInt8(truncatingIfNeeded: nibble & 0xF)
        return d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10
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

    /// `head` for an all-ASCII `readable` (every id the engine makes), on bytes instead of Characters; nil for
    /// anything else.
    static func asciiHead(_ readable: String, room: Int) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { buffer -> String? in
            var head = ASCIIHead(buffer)
            head.feed(readable)
            return head.string(suffix: nil)
        }
    }

    /// `head` on bytes, fed in parts: `sanitize` as it goes, into a buffer of `room` bytes (its prefix).
    private struct ASCIIHead {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var count = 0
        var lastDash = false
        var ascii = true

        init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

        mutating func feed(_ part: String) {
            for byte in part.utf8 { feed(byte) }
        }

        mutating func feed(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                put(byte)
                lastDash = false
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                put(byte + 32)
                lastDash = false
            case 0x80...: ascii = false
            default:
                if !lastDash { put(UInt8(ascii: "-")) }
                lastDash = true
            }
        }

        private mutating func put(_ byte: UInt8) {
            guard count < buffer.count else { return }
            buffer[count] = byte
            count += 1
        }

        /// The head (leading dashes dropped, `a-` first unless it starts with a letter, trailing dashes
        /// dropped), then `-` and the hash's 12 digits when given; nil when a part was not all ASCII.
        func string(suffix hash: UInt64?) -> String? {
            guard ascii else { return nil }
            let room = buffer.count
            var start = 0
            while start < count && buffer[start] == UInt8(ascii: "-") { start += 1 }
            let startsWithLetter = start < count && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(buffer[start])
            // With `a-` first, the head is `a-` and what follows, cut to `room`.
            let lead: [UInt8] = startsWithLetter ? [] : Array([UInt8(ascii: "a"), UInt8(ascii: "-")].prefix(room))
            var end = min(count, start + room - lead.count)
            while end > start && buffer[end - 1] == UInt8(ascii: "-") { end -= 1 }
            var leadCount = lead.count
            if end == start { while leadCount > 0 && lead[leadCount - 1] == UInt8(ascii: "-") { leadCount -= 1 } }
            let length = leadCount + (end - start) + (hash == nil ? 0 : 13)
            return String(unsafeUninitializedCapacity: length) { out in
                var i = 0
                for k in 0..<leadCount {
                    out[i] = lead[k]
                    i += 1
                }
                for k in start..<end {
                    out[i] = buffer[k]
                    i += 1
                }
                if let hash {
                    out[i] = UInt8(ascii: "-")
                    i += 1
                    for d in 0..<12 {
                        out[i] = TaskExecutionID.hexDigit(hash >> UInt64(60 - 4 * d))
                        i += 1
                    }
                }
                return i
            }
        }
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
