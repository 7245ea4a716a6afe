/// Thrift's compact protocol, writing side only: what Parquet's page headers and file footer use. Field
/// headers carry the id as a delta from the previous field's when it fits in 4 bits; integers are zigzag
/// varints.
struct ThriftCompactWriter {
    enum CType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9,
            structure = 12
    }

    private(set) var bytes: [UInt8] = []
    private var lastField: [Int16] = [0]

    mutating func field(_ id: Int16, _ type: CType) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(zigzag(Int64(id)))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ v: Int32) {
        field(id, .i32)
        varint(zigzag(Int64(v)))
    }
    mutating func i64(_ id: Int16, _ v: Int64) {
        field(id, .i64)
        varint(zigzag(v))
    }
    mutating func string(_ id: Int16, _ v: String) {
        field(id, .binary)
        binary(Array(v.utf8))
    }

    /// A struct-typed field whose members `body` writes.
    mutating func structure(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        field(id, .structure)
        structBody(body)
    }

    /// A struct's members and its stop byte (also for list elements and the top level).
    mutating func structBody(_ body: (inout ThriftCompactWriter) -> Void) {
        lastField.append(0)
        body(&self)
        bytes.append(0)
        lastField.removeLast()
    }

    mutating func list(_ id: Int16, of element: CType, count: Int) {
        field(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element.rawValue)
        } else {
            bytes.append(0xF0 | element.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func binary(_ v: [UInt8]) {
        varint(UInt64(v.count))
        bytes += v
    }

    mutating func rawI32(_ v: Int32) { varint(zigzag(Int64(v))) }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
}
