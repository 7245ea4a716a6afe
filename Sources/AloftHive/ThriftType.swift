/// Thrift's wire type tags (binary protocol) and message kinds.
public enum ThriftType: UInt8, Sendable {
    case stop = 0, bool = 2, byte = 3, double = 4, i16 = 6, i32 = 8, i64 = 10, string = 11, structure = 12, map = 13,
        set = 14, list = 15
}

public enum ThriftMessageKind: UInt8, Sendable {
    case call = 1, reply = 2, exception = 3, oneway = 4
}

/// Bytes that are not the Thrift the reader expected: truncated, a wrong type tag, a field missing.
public struct ThriftError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
