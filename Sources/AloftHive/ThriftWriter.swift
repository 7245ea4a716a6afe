/// Thrift's binary protocol, writing side: big-endian integers, length-prefixed strings, fields as
/// (type, id) headers ended by a stop byte, strict message headers (version 1).
public struct ThriftWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func messageBegin(_ name: String, kind: ThriftMessageKind, sequence: Int32) {
        i32(Int32(bitPattern: 0x8001_0000 | UInt32(kind.rawValue)))
        string(name)
        i32(sequence)
    }

    public mutating func fieldBegin(_ id: Int16, _ type: ThriftType) {
        bytes.append(type.rawValue)
        i16(id)
    }

    public mutating func stop() { bytes.append(ThriftType.stop.rawValue) }

    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func byte(_ v: Int8) { bytes.append(UInt8(bitPattern: v)) }
    public mutating func i16(_ v: Int16) { append(UInt64(UInt16(bitPattern: v)), count: 2) }
    public mutating func i32(_ v: Int32) { append(UInt64(UInt32(bitPattern: v)), count: 4) }
    public mutating func i64(_ v: Int64) { append(UInt64(bitPattern: v), count: 8) }
    public mutating func double(_ v: Double) { append(v.bitPattern, count: 8) }
    public mutating func string(_ v: String) { binary(Array(v.utf8)) }

    public mutating func binary(_ v: [UInt8]) {
        i32(Int32(v.count))
        bytes += v
    }

    public mutating func mapBegin(key: ThriftType, value: ThriftType, count: Int) {
        bytes.append(key.rawValue)
        bytes.append(value.rawValue)
        i32(Int32(count))
    }

    public mutating func listBegin(_ element: ThriftType, count: Int) {
        bytes.append(element.rawValue)
        i32(Int32(count))
    }

    // Field shorthands: a header and its value.
    public mutating func field(_ id: Int16, i32 v: Int32) {
        fieldBegin(id, .i32)
        i32(v)
    }
    public mutating func field(_ id: Int16, i64 v: Int64) {
        fieldBegin(id, .i64)
        i64(v)
    }
    public mutating func field(_ id: Int16, i16 v: Int16) {
        fieldBegin(id, .i16)
        i16(v)
    }
    public mutating func field(_ id: Int16, bool v: Bool) {
        fieldBegin(id, .bool)
        bool(v)
    }
    public mutating func field(_ id: Int16, string v: String) {
        fieldBegin(id, .string)
        string(v)
    }
    public mutating func field(_ id: Int16, binary v: [UInt8]) {
        fieldBegin(id, .string)
        binary(v)
    }

    /// A struct-typed field whose members `body` writes (the stop byte is added here).
    public mutating func field(_ id: Int16, structure body: (inout ThriftWriter) -> Void) {
        fieldBegin(id, .structure)
        body(&self)
        stop()
    }

    public mutating func field(_ id: Int16, stringMap map: [String: String]) {
        fieldBegin(id, .map)
        mapBegin(key: .string, value: .string, count: map.count)
        for key in map.keys.sorted() {
            string(key)
            string(map[key]!)
        }
    }

    private mutating func append(_ v: UInt64, count: Int) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift)))
        }
    }
}
