/// Thrift's binary protocol, reading side. Structs are read field by field: the caller handles the ids it
/// knows and the reader skips the rest, so newer servers' extra fields do no harm.
public struct ThriftReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var position: Int

    public init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// Reads a strict message header; returns its name, kind and sequence id.
    public mutating func messageBegin() throws(ThriftError) -> (name: String, kind: ThriftMessageKind, sequence: Int32)
    {
        let header = UInt32(bitPattern: try i32())
        guard header & 0xFFFF_0000 == 0x8001_0000, let kind = ThriftMessageKind(rawValue: UInt8(header & 0xFF)) else {
            throw ThriftError("not a Thrift binary message (header 0x\(String(header, radix: 16)))")
        }
        return (try string(), kind, try i32())
    }

    /// Calls `field` with each field's id and type; `field` reads the value or returns false to skip it.
    public mutating func readStruct(
        _ field: (inout ThriftReader, Int16, ThriftType) throws(ThriftError) -> Bool
    ) throws(ThriftError) {
        while true {
            let tag = try u8()
            guard let type = ThriftType(rawValue: tag) else {
                throw ThriftError("unknown field type \(tag) at byte \(position - 1)")
            }
            if type == .stop { return }
            let id = try i16()
            if try !field(&self, id, type) { try skip(type) }
        }
    }

    public mutating func bool() throws(ThriftError) -> Bool { try u8() != 0 }
    public mutating func byte() throws(ThriftError) -> Int8 { Int8(bitPattern: try u8()) }
    public mutating func i16() throws(ThriftError) -> Int16 { Int16(truncatingIfNeeded: try integer(2)) }
    public mutating func i32() throws(ThriftError) -> Int32 { Int32(truncatingIfNeeded: try integer(4)) }
    public mutating func i64() throws(ThriftError) -> Int64 { Int64(bitPattern: try integer(8)) }
    public mutating func double() throws(ThriftError) -> Double { Double(bitPattern: try integer(8)) }

    public mutating func string() throws(ThriftError) -> String {
        let range = try binaryRange()
        return String(decoding: bytes[range], as: UTF8.self)
    }

    public mutating func binary() throws(ThriftError) -> [UInt8] { Array(bytes[try binaryRange()]) }

    /// Where a string's bytes are in `bytes`, without copying them (row sets hold many strings).
    public mutating func binaryRange() throws(ThriftError) -> Range<Int> {
        let count = Int(try i32())
        guard count >= 0, count <= bytes.count - position else {
            throw ThriftError("a string of \(count) bytes runs past the end")
        }
        defer { position += count }
        return position..<(position + count)
    }

    public mutating func listBegin() throws(ThriftError) -> (element: ThriftType, count: Int) {
        let tag = try u8()
        guard let element = ThriftType(rawValue: tag) else { throw ThriftError("unknown list element type \(tag)") }
        let count = Int(try i32())
        guard count >= 0, count <= bytes.count - position else {
            throw ThriftError("a list of \(count) elements runs past the end")
        }
        return (element, count)
    }

    public mutating func mapBegin() throws(ThriftError) -> (key: ThriftType, value: ThriftType, count: Int) {
        let k = try u8(), v = try u8()
        guard let key = ThriftType(rawValue: k), let value = ThriftType(rawValue: v) else {
            throw ThriftError("unknown map types \(k), \(v)")
        }
        let count = Int(try i32())
        guard count >= 0, count <= bytes.count - position else {
            throw ThriftError("a map of \(count) entries runs past the end")
        }
        return (key, value, count)
    }

    /// Reads a list of `element`s, checking the declared element type.
    public mutating func list<T>(
        of element: ThriftType, _ read: (inout ThriftReader) throws(ThriftError) -> T
    ) throws(ThriftError) -> [T] {
        let (type, count) = try listBegin()
        guard type == element || count == 0 else {
            throw ThriftError("expected a list of \(element), got one of \(type)")
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try read(&self)) }
        return out
    }

    public mutating func stringMap() throws(ThriftError) -> [String: String] {
        let (k, v, count) = try mapBegin()
        var out: [String: String] = [:]
        for _ in 0..<count {
            guard k == .string, v == .string else {
                try skip(k)
                try skip(v)
                continue
            }
            let key = try string()
            out[key] = try string()
        }
        return out
    }

    public mutating func skip(_ type: ThriftType) throws(ThriftError) {
        switch type {
        case .stop: return
        case .bool, .byte: try advance(1)
        case .i16: try advance(2)
        case .i32: try advance(4)
        case .i64, .double: try advance(8)
        case .string: _ = try binaryRange()
        case .structure: try readStruct { _, _, _ in false }
        case .map:
            let (k, v, count) = try mapBegin()
            for _ in 0..<count {
                try skip(k)
                try skip(v)
            }
        case .set, .list:
            let (element, count) = try listBegin()
            for _ in 0..<count { try skip(element) }
        }
    }

    private mutating func u8() throws(ThriftError) -> UInt8 {
        guard position < bytes.count else { throw ThriftError("the message ends early (at byte \(position))") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func advance(_ n: Int) throws(ThriftError) {
        guard n <= bytes.count - position else { throw ThriftError("the message ends early (at byte \(position))") }
        position += n
    }

    private mutating func integer(_ n: Int) throws(ThriftError) -> UInt64 {
        guard n <= bytes.count - position else { throw ThriftError("the message ends early (at byte \(position))") }
        var v: UInt64 = 0
        for i in position..<(position + n) { v = v << 8 | UInt64(bytes[i]) }
        position += n
        return v
    }
}
