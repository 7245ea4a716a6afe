/// The byte layout of one frame's body between the host and a plugin runner: little-endian integers and
/// length-prefixed byte strings, written and read in the same order. Values inside (contexts, states,
/// outputs) are the same canonical bytes the ABI carries; this layer only puts them side by side.
public struct FrameWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func u8(_ v: UInt8) { bytes.append(v) }

    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }

    public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }

    public mutating func data(_ v: [UInt8]) {
        u32(UInt32(v.count))
        bytes.append(contentsOf: v)
    }

    public mutating func string(_ v: String) { data(Array(v.utf8)) }

    /// An optional byte string: a presence flag, then the bytes.
    public mutating func optionalData(_ v: [UInt8]?) {
        bool(v != nil)
        if let v { data(v) }
    }
}

/// A frame body that does not read as the message it claims to be.
public struct FrameError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

public struct FrameReader {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ n: Int) throws(FrameError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - offset >= n else {
            throw FrameError(
                description: "frame ends at byte \(bytes.count) where \(n) more were expected at \(offset)")
        }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    public mutating func u8() throws(FrameError) -> UInt8 { try take(1).first! }

    public mutating func bool() throws(FrameError) -> Bool { try u8() != 0 }

    public mutating func u32() throws(FrameError) -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    public mutating func u64() throws(FrameError) -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    public mutating func data() throws(FrameError) -> [UInt8] { Array(try take(Int(try u32()))) }

    public mutating func string() throws(FrameError) -> String { String(decoding: try data(), as: UTF8.self) }

    public mutating func optionalData() throws(FrameError) -> [UInt8]? { try bool() ? try data() : nil }
}
