/// Writes JSON in Aloft's canonical form: no whitespace, object keys sorted by their UTF-8 bytes, strings
/// escaped minimally (only `"`, `\` and control characters), floats in Swift's shortest round-trip form.
/// Equal values give equal bytes, which is what the cache's hash relies on.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public static func encode(_ value: JSON) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(value)
        return writer.bytes
    }

    public static func string(_ value: JSON) -> String { String(decoding: encode(value), as: UTF8.self) }

    public mutating func write(_ value: JSON) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .integer(let i): writeInteger(i)
        case .float(let d): writeFloat(d)
        case .string(let s): writeString(s)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members): writeObject(members) { w, member in w.write(member) }
        }
    }

    public mutating func writeInteger(_ value: Int64) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        append(String(value))
    }

    /// Non-finite floats have no JSON form; literals encode them as strings before they get here.
    public mutating func writeFloat(_ value: Double) {
        guard value.isFinite else {
            append("null")
            return
        }
        append(value.description)
    }

    public mutating func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Most strings need no escaping: copy them in one go.
            if Self.needsNoEscaping(utf8) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 { writeEscaped(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// True when no byte is `"`, `\` or a control character. Eight bytes at a time (a task context's strings,
    /// its output prefix above all, were scanned byte by byte on every call): `hasLess` is the exact test "some
    /// byte of the word is below n" (n <= 128), and a byte equal to c is a zero byte of the word XOR c.
    static func needsNoEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasLess(_ x: UInt64, _ n: UInt64) -> Bool { (x &- ones &* n) & ~x & highs != 0 }
        var i = 0
        if let base = utf8.baseAddress {
            while i + 8 <= utf8.count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if hasLess(w, 0x20) || hasLess(w ^ (ones &* 0x22), 1) || hasLess(w ^ (ones &* 0x5C), 1) { return false }
                i += 8
            }
        }
        while i < utf8.count {
            let b = utf8[i]
            if b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
            i += 1
        }
        return true
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        case 0..<0x20:
            append("\\u00")
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0xF)])
        default: bytes.append(byte)
        }
    }

    /// An object of `members` in canonical key order, each value written by `value`. One member (most of a task's
    /// inputs and outputs): no key array to sort, no lookup.
    public mutating func writeObject<V>(_ members: [String: V], _ value: (inout JSONWriter, V) -> Void) {
        writeByte("{")
        if members.count == 1, let (key, member) = members.first {
            writeKey(key)
            value(&self, member)
        } else {
            for (i, key) in canonicalOrder(members.keys).enumerated() {
                if i > 0 { writeByte(",") }
                writeKey(key)
                value(&self, members[key]!)
            }
        }
        writeByte("}")
    }

    /// `"key":`
    public mutating func writeKey(_ key: String) {
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// A raw byte: `{`, `}`, `[`, `]`, `,`.
    public mutating func writeByte(_ ascii: Unicode.Scalar) { bytes.append(UInt8(ascii: ascii)) }

    /// Bytes already in canonical form (a value this writer wrote before), appended as they are.
    public mutating func writeRaw(_ canonical: [UInt8]) { bytes.append(contentsOf: canonical) }

    private mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
}

/// Object keys in canonical order: by their UTF-8 bytes (not by Swift's Unicode-aware `<`).
public func canonicalOrder(_ keys: some Collection<String>) -> [String] {
    keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}
