import AloftWire

#if canImport(Glibc)
import Glibc
#endif

/// Writes fetched row sets as CSV (RFC 4180: a header line, fields quoted when they hold a comma, quote or
/// line break, NULL as an empty field), straight from the response bytes into a buffered file.
public final class HiveCSVWriter {
    private let file: UnsafeMutablePointer<FILE>
    private var out: [UInt8] = []
    public private(set) var rows = 0
    public private(set) var bytesWritten = 0

    public init(path: String, columns: [HiveColumnDescription]) throws(HiveError) {
        guard let f = fopen(path, "w") else {
            throw HiveError(.protocolError, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        file = f
        out.reserveCapacity(1 << 20)
        for (i, c) in columns.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.field(Array(c.name.utf8)[...], into: &out)
        }
        out.append(UInt8(ascii: "\n"))
    }

    deinit { fclose(file) }

    public func append(_ set: HiveRowSet) throws(HiveError) {
        let count = set.rowCount
        for row in 0..<count {
            for (i, column) in set.columns.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if column.isNull(row) { continue }
                switch column.values {
                case .bool(let v): out += v[row] ? Array("true".utf8) : Array("false".utf8)
                case .byte(let v): Self.integer(Int64(v[row]), into: &out)
                case .i16(let v): Self.integer(Int64(v[row]), into: &out)
                case .i32(let v): Self.integer(Int64(v[row]), into: &out)
                case .i64(let v): Self.integer(v[row], into: &out)
                case .double(let v): out += Array(String(v[row]).utf8)
                case .string(let ranges): Self.field(set.buffer[ranges[row]], into: &out)
                case .binary(let ranges): out += Array(Base64.encode(Array(set.buffer[ranges[row]])).utf8)
                }
            }
            out.append(UInt8(ascii: "\n"))
            if out.count >= 1 << 20 { try flush() }
        }
        rows += count
    }

    public func finish() throws(HiveError) {
        try flush()
        guard fflush(file) == 0 else {
            throw HiveError(.protocolError, "cannot write the result file: \(String(cString: strerror(errno)))")
        }
    }

    private func flush() throws(HiveError) {
        guard !out.isEmpty else { return }
        let written = out.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == out.count else {
            throw HiveError(.protocolError, "cannot write the result file: \(String(cString: strerror(errno)))")
        }
        bytesWritten += written
        out.removeAll(keepingCapacity: true)
    }

    static func field(_ bytes: ArraySlice<UInt8>, into out: inout [UInt8]) {
        let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else {
            out += bytes
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }

    static func integer(_ v: Int64, into out: inout [UInt8]) {
        if v == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var digits: [UInt8] = []
        var m = v.magnitude
        while m > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        }
        if v < 0 { out.append(UInt8(ascii: "-")) }
        out += digits.reversed()
    }
}
