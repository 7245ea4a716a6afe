public import AloftWire

/// A query's result rows as the REST API gives them (`schema.fields`, `rows: [{f: [{v}]}]`), turned into
/// typed values or CSV text. Timestamps arrive as integer microseconds (`formatOptions.useInt64Timestamp`)
/// or, from servers that ignore that option, as floating-point seconds.
public enum QueryResults {
    /// The column names of a `schema`.
    public static func columns(_ schema: JSON?) -> [JSON] { schema?["fields"]?.arrayValue ?? [] }

    /// The cells of one row, in column order.
    public static func cells(_ row: JSON) -> [JSON] { (row["f"]?.arrayValue ?? []).map { $0["v"] ?? .null } }

    /// A cell as a value of `type`, for the column `field` (`{name, type, mode}`).
    public static func literal(_ cell: JSON, field: JSON, as type: LiteralType) throws(QueryValueError) -> Literal {
        let column = field["name"]?.stringValue ?? "?"
        let bqType = field["type"]?.stringValue ?? "STRING"
        func fail(_ why: String) -> QueryValueError { QueryValueError("column \"\(column)\" (\(bqType)): \(why)") }
        if cell == .null {
            if type.acceptsNone { return .none }
            if case .list = type { return .list([]) }  // a REPEATED column's empty array
            throw fail("is NULL, and the output is a \(type), not optional")
        }
        switch type {
        case .union(let variants):
            guard let inner = variants.first(where: { $0 != .none }) else { return .none }
            return try literal(cell, field: field, as: inner)
        case .list(let element):
            guard let items = cell.arrayValue else { throw fail("is not an array, and the output is a \(type)") }
            var out: [Literal] = []
            var scalar = field.objectValue ?? [:]
            scalar["mode"] = .string("NULLABLE")
            for item in items { out.append(try literal(item["v"] ?? .null, field: .object(scalar), as: element)) }
            return .list(out)
        default: break
        }
        guard let text = cell.stringValue else { throw fail("is not a scalar, and the output is a \(type)") }
        switch type {
        case .string: return .string(text)
        case .enumeration(let values):
            guard values.contains(text) else {
                throw fail("\"\(text)\" is not one of \(values.joined(separator: ", "))")
            }
            return .enumeration(text)
        case .integer:
            guard let i = Int64(text) else { throw fail("\"\(text)\" is not an integer") }
            return .integer(i)
        case .float:
            guard let d = Double(text) else { throw fail("\"\(text)\" is not a number") }
            return .float(d)
        case .boolean:
            switch text.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: throw fail("\"\(text)\" is not a boolean")
            }
        case .datetime:
            guard let t = timestamp(text, bqType: bqType) else { throw fail("\"\(text)\" is not a time") }
            return .datetime(t)
        default:
            throw fail("an output of type \(type) cannot come from a column")
        }
    }

    /// TIMESTAMP as microseconds or seconds; DATETIME (no zone: UTC) and DATE as text.
    public static func timestamp(_ text: String, bqType: String) -> Timestamp? {
        if bqType == "TIMESTAMP" {
            if let micros = Int64(text) {
                let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
                return Timestamp(seconds: seconds, nanos: Int32((micros - seconds * 1_000_000) * 1000))
            }
            if let s = Double(text) {
                let whole = s.rounded(.down)
                return Timestamp(seconds: Int64(whole), nanos: Int32(((s - whole) * 1_000_000).rounded() * 1000))
            }
        }
        if bqType == "DATE", text.count == 10 { return Timestamp(rfc3339: text + "T00:00:00Z") }
        return Timestamp(rfc3339: text) ?? Timestamp(rfc3339: text + "Z")
    }

    /// A cell as CSV field text: NULL empty, TIMESTAMP in RFC 3339, arrays and records as JSON.
    public static func csvText(_ cell: JSON, field: JSON) -> String {
        switch cell {
        case .null: return ""
        case .string(let s):
            if field["type"]?.stringValue == "TIMESTAMP", let t = timestamp(s, bqType: "TIMESTAMP") { return t.rfc3339 }
            return s
        default: return JSONWriter.string(plain(cell))
        }
    }

    /// REPEATED and RECORD cells without the API's `{v}`/`{f}` wrappers.
    static func plain(_ cell: JSON) -> JSON {
        if let items = cell.arrayValue { return .array(items.map { plain($0["v"] ?? .null) }) }
        if let fields = cell["f"]?.arrayValue { return .array(fields.map { plain($0["v"] ?? .null) }) }
        return cell
    }
}

/// RFC 4180 CSV: a header line, then one line per row; fields with a comma, quote or line break are quoted.
public struct CSVText {
    public private(set) var bytes: [UInt8] = []

    public init(header: [String]) { append(header) }

    public mutating func append(_ fields: [String]) {
        for (i, f) in fields.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            if f.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) {
                bytes.append(UInt8(ascii: "\""))
                for b in f.utf8 {
                    if b == UInt8(ascii: "\"") { bytes.append(b) }
                    bytes.append(b)
                }
                bytes.append(UInt8(ascii: "\""))
            } else {
                bytes += f.utf8
            }
        }
        bytes.append(10)
    }
}
