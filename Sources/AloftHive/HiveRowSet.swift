/// One fetched batch of rows, column by column (TRowSet's columnar form, protocol V6 and later). String
/// and binary values stay where they are in the response's bytes: a batch of 10,000 rows makes no Strings
/// unless someone asks for them.
public struct HiveRowSet: Sendable {
    public enum Values: Sendable {
        case bool([Bool]), byte([Int8]), i16([Int16]), i32([Int32]), i64([Int64]), double([Double])
        /// Ranges into `HiveRowSet.buffer`.
        case string([Range<Int>]), binary([Range<Int>])

        var count: Int {
            switch self {
            case .bool(let v): v.count
            case .byte(let v): v.count
            case .i16(let v): v.count
            case .i32(let v): v.count
            case .i64(let v): v.count
            case .double(let v): v.count
            case .string(let v), .binary(let v): v.count
            }
        }
    }

    public struct Column: Sendable {
        public var values: Values
        /// Bit i (least significant first within each byte) set: row i is NULL.
        public var nulls: [UInt8]

        public func isNull(_ row: Int) -> Bool {
            let byte = row >> 3
            return byte < nulls.count && nulls[byte] & (1 << UInt8(row & 7)) != 0
        }
    }

    /// The response these rows were read from.
    public let buffer: [UInt8]
    public var startRowOffset: Int64 = 0
    public var columns: [Column] = []

    public var rowCount: Int { columns.first?.values.count ?? 0 }

    public func string(_ range: Range<Int>) -> String { String(decoding: buffer[range], as: UTF8.self) }

    init(buffer: [UInt8]) { self.buffer = buffer }

    static func read(_ r: inout ThriftReader) throws(ThriftError) -> HiveRowSet {
        var set = HiveRowSet(buffer: r.bytes)
        var rowBased = 0
        try r.readStruct { r, id, type throws(ThriftError) in
            switch (id, type) {
            case (1, .i64): set.startRowOffset = try r.i64()
            case (2, .list):
                let (element, count) = try r.listBegin()
                rowBased = count
                for _ in 0..<count { try r.skip(element) }
            case (3, .list): set.columns = try r.list(of: .structure) { r throws(ThriftError) in try readColumn(&r) }
            default: return false
            }
            return true
        }
        if set.columns.isEmpty && rowBased > 0 {
            throw ThriftError(
                "the server sent rows in the row-based form (protocol before V6), which this client does not read")
        }
        return set
    }

    /// TColumn: a union with one member set, each member {1: list of values, 2: nulls bitmap}.
    private static func readColumn(_ r: inout ThriftReader) throws(ThriftError) -> Column {
        var column: Column?
        try r.readStruct { r, id, type throws(ThriftError) in
            guard type == .structure, (1...8).contains(id) else { return false }
            var values: Values = .bool([])
            var nulls: [UInt8] = []
            try r.readStruct { r, field, type throws(ThriftError) in
                switch (field, type) {
                case (1, .list):
                    switch id {
                    case 1: values = .bool(try r.list(of: .bool) { r throws(ThriftError) in try r.bool() })
                    case 2: values = .byte(try r.list(of: .byte) { r throws(ThriftError) in try r.byte() })
                    case 3: values = .i16(try r.list(of: .i16) { r throws(ThriftError) in try r.i16() })
                    case 4: values = .i32(try r.list(of: .i32) { r throws(ThriftError) in try r.i32() })
                    case 5: values = .i64(try r.list(of: .i64) { r throws(ThriftError) in try r.i64() })
                    case 6: values = .double(try r.list(of: .double) { r throws(ThriftError) in try r.double() })
                    case 7: values = .string(try r.list(of: .string) { r throws(ThriftError) in try r.binaryRange() })
                    default: values = .binary(try r.list(of: .string) { r throws(ThriftError) in try r.binaryRange() })
                    }
                case (2, .string): nulls = try r.binary()
                default: return false
                }
                return true
            }
            column = Column(values: values, nulls: nulls)
            return true
        }
        guard let column else { throw ThriftError("a result column with no values member") }
        return column
    }
}
