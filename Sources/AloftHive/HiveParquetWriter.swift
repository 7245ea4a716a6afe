#if canImport(Glibc)
import Glibc
#endif

/// Writes fetched row sets as a Parquet file: one row group per fetched batch, one uncompressed PLAIN data
/// page per column, every column OPTIONAL (definition levels as bit-packed runs), the footer in Thrift's
/// compact protocol. Types: BOOLEAN; TINYINT/SMALLINT/INT as INT32; BIGINT as INT64; DOUBLE (FLOAT arrives as
/// DOUBLE); everything the server sends as text (STRING, DECIMAL, DATE, TIMESTAMP, ...) as a UTF8
/// BYTE_ARRAY; BINARY as BYTE_ARRAY.
public final class HiveParquetWriter {
    enum Physical: Int32 { case boolean = 0, int32 = 1, int64 = 2, double = 5, byteArray = 6 }

    struct Chunk {
        var offset: Int64
        var size: Int64
        var values: Int64
    }

    private let file: UnsafeMutablePointer<FILE>
    private let columns: [HiveColumnDescription]
    private var physical: [Physical]?
    private var offset: Int64 = 0
    private var rowGroups: [(rows: Int64, chunks: [Chunk])] = []
    public private(set) var rows = 0

    public init(path: String, columns: [HiveColumnDescription]) throws(HiveError) {
        guard let f = fopen(path, "w") else {
            throw HiveError(.protocolError, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        file = f
        self.columns = columns
        try write(Array("PAR1".utf8))
    }

    deinit { fclose(file) }

    public func append(_ set: HiveRowSet) throws(HiveError) {
        let count = set.rowCount
        guard count > 0 else { return }
        let types = set.columns.map(Self.physical)
        if physical == nil { physical = types }
        guard types == physical!, set.columns.count == columns.count else {
            throw HiveError(.protocolError, "a result batch's columns differ from the first batch's")
        }
        var chunks: [Chunk] = []
        for column in set.columns {
            let page = Self.page(column, set: set, count: count)
            var header = ThriftCompactWriter()
            header.structBody { h in
                h.i32(1, 0)  // DATA_PAGE
                h.i32(2, Int32(page.count))
                h.i32(3, Int32(page.count))
                h.structure(5) { d in
                    d.i32(1, Int32(count))
                    d.i32(2, 0)  // PLAIN
                    d.i32(3, 3)  // RLE (definition levels)
                    d.i32(4, 3)  // RLE (repetition levels: none written)
                }
            }
            let start = offset
            try write(header.bytes)
            try write(page)
            chunks.append(Chunk(offset: start, size: offset - start, values: Int64(count)))
        }
        rowGroups.append((Int64(count), chunks))
        rows += count
    }

    /// Writes the footer. A result with no rows gets a file with its schema and no row groups.
    public func finish() throws(HiveError) {
        let types = physical ?? columns.map { Self.physical(for: $0.type) }
        var meta = ThriftCompactWriter()
        meta.structBody { m in
            m.i32(1, 1)
            m.list(2, of: .structure, count: columns.count + 1)
            m.structBody { root in
                root.string(4, "schema")
                root.i32(5, Int32(columns.count))
            }
            for (i, column) in columns.enumerated() {
                m.structBody { e in
                    e.i32(1, types[i].rawValue)
                    e.i32(3, 1)  // OPTIONAL
                    e.string(4, column.name)
                    if types[i] == .byteArray && column.type != .binary { e.i32(6, 0) }  // UTF8
                }
            }
            m.i64(3, Int64(rows))
            m.list(4, of: .structure, count: rowGroups.count)
            for group in rowGroups {
                m.structBody { g in
                    g.list(1, of: .structure, count: group.chunks.count)
                    for (i, chunk) in group.chunks.enumerated() {
                        g.structBody { c in
                            c.i64(2, chunk.offset)
                            c.structure(3) { cm in
                                cm.i32(1, types[i].rawValue)
                                cm.list(2, of: .i32, count: 2)
                                cm.rawI32(0)  // PLAIN
                                cm.rawI32(3)  // RLE
                                cm.list(3, of: .binary, count: 1)
                                cm.binary(Array(columns[i].name.utf8))
                                cm.i32(4, 0)  // UNCOMPRESSED
                                cm.i64(5, chunk.values)
                                cm.i64(6, chunk.size)
                                cm.i64(7, chunk.size)
                                cm.i64(9, chunk.offset)
                            }
                        }
                    }
                    g.i64(2, group.chunks.reduce(0) { $0 + $1.size })
                    g.i64(3, group.rows)
                }
            }
            m.string(6, "aloft hive plugin")
        }
        try write(meta.bytes)
        let length = UInt32(meta.bytes.count)
        try write(
            [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
                + Array("PAR1".utf8))
        guard fflush(file) == 0 else {
            throw HiveError(.protocolError, "cannot write the result file: \(String(cString: strerror(errno)))")
        }
    }

    /// Definition levels (4-byte length, then one bit-packed run of 1-bit levels), then the non-null values.
    static func page(_ column: HiveRowSet.Column, set: HiveRowSet, count: Int) -> [UInt8] {
        var levels: [UInt8] = []
        var header = ThriftCompactWriter()
        header.varint(UInt64((count + 7) / 8) << 1 | 1)
        levels += header.bytes
        var packed = [UInt8](repeating: 0, count: (count + 7) / 8)
        for row in 0..<count where !column.isNull(row) { packed[row >> 3] |= 1 << UInt8(row & 7) }
        levels += packed
        let n = UInt32(levels.count)
        var out: [UInt8] = [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + levels
        func le<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        switch column.values {
        case .bool(let v):
            var bits = [UInt8](repeating: 0, count: (count + 7) / 8)
            var i = 0
            for row in 0..<count where !column.isNull(row) {
                if v[row] { bits[i >> 3] |= 1 << UInt8(i & 7) }
                i += 1
            }
            out += bits.prefix((i + 7) / 8)
        case .byte(let v): for row in 0..<count where !column.isNull(row) { le(Int32(v[row])) }
        case .i16(let v): for row in 0..<count where !column.isNull(row) { le(Int32(v[row])) }
        case .i32(let v): for row in 0..<count where !column.isNull(row) { le(v[row]) }
        case .i64(let v): for row in 0..<count where !column.isNull(row) { le(v[row]) }
        case .double(let v): for row in 0..<count where !column.isNull(row) { le(v[row].bitPattern) }
        case .string(let ranges), .binary(let ranges):
            for row in 0..<count where !column.isNull(row) {
                le(UInt32(ranges[row].count))
                out += set.buffer[ranges[row]]
            }
        }
        return out
    }

    static func physical(_ column: HiveRowSet.Column) -> Physical {
        switch column.values {
        case .bool: .boolean
        case .byte, .i16, .i32: .int32
        case .i64: .int64
        case .double: .double
        case .string, .binary: .byteArray
        }
    }

    static func physical(for type: HiveTypeID) -> Physical {
        switch type {
        case .boolean: .boolean
        case .tinyint, .smallint, .int: .int32
        case .bigint: .int64
        case .float, .double: .double
        default: .byteArray
        }
    }

    private func write(_ bytes: [UInt8]) throws(HiveError) {
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else {
            throw HiveError(.protocolError, "cannot write the result file: \(String(cString: strerror(errno)))")
        }
        offset += Int64(written)
    }
}
