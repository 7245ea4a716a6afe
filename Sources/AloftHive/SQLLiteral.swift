public import AloftWire

/// Typed values as SQL literals for HiveQL and Spark SQL: never raw text. Strings are quoted with every
/// quote, backslash and control character escaped, and `$` written as `\u0024` so the server's variable
/// substitution (`${hiveconf:...}`, which runs on the statement's text before parsing, inside literals too)
/// cannot read a value that came from an input.
public enum SQLLiteral {
    /// Why a type has no SQL literal form; nil when it has one.
    public static func unsupported(_ type: LiteralType) -> String? {
        switch type {
        case .integer, .float, .string, .boolean, .datetime, .binary, .enumeration, .none: return nil
        case .list(let element):
            if case .list = element {
                return "a list of lists has no SQL literal form (a list renders as (a, b, c) for IN)"
            }
            return unsupported(element).map { "its elements: \($0)" }
        case .union(let variants):
            let others = variants.filter { $0 != .none }
            guard others.count == 1 else { return "a union of several types has no SQL literal form" }
            if case .list = others[0] { return "an optional list has no SQL literal form" }
            return unsupported(others[0])
        case .duration: return "duration has no SQL literal form (pass seconds as an integer or float)"
        case .structure: return "struct has no SQL literal form"
        case .map: return "map has no SQL literal form"
        case .blob: return "a blob is a file, not a SQL value"
        case .dataset: return "a dataset is a table of files, not a SQL value"
        }
    }

    /// The literal for a value; a value with no SQL form (a blob, a map) is an error naming its kind.
    public static func render(_ value: Literal) throws(SQLLiteralError) -> String {
        switch value {
        case .none: return "NULL"
        case .integer(let i):
            // -9223372036854775808 would parse as the negation of a number too large for BIGINT.
            return i == .min ? "(-9223372036854775807 - 1)" : String(i)
        case .float(let d): return double(d)
        case .string(let s), .enumeration(let s): return string(s)
        case .boolean(let b): return b ? "TRUE" : "FALSE"
        case .datetime(let t): return "TIMESTAMP '" + timestamp(t) + "'"
        case .binary(let bytes):
            let digits = Array("0123456789ABCDEF")
            return "X'" + String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }) + "'"
        case .list(let items):
            if items.isEmpty { return "(NULL)" }  // `x IN (NULL)` matches nothing, as an empty list should
            var parts: [String] = []
            for item in items {
                if case .list = item { throw SQLLiteralError("a list of lists has no SQL literal form") }
                parts.append(try render(item))
            }
            return "(" + parts.joined(separator: ", ") + ")"
        case .duration: throw SQLLiteralError("a duration has no SQL literal form")
        case .structure: throw SQLLiteralError("a struct has no SQL literal form")
        case .map: throw SQLLiteralError("a map has no SQL literal form")
        case .blob: throw SQLLiteralError("a blob has no SQL literal form")
        case .dataset: throw SQLLiteralError("a dataset has no SQL literal form")
        }
    }

    /// `'...'` with backslash escapes (HiveQL and Spark SQL both unescape them; `''` is not a quote there).
    public static func string(_ s: String) -> String {
        var out = "'"
        for scalar in s.unicodeScalars {
            switch scalar {
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "$": out += "\\u0024"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    /// A DOUBLE: always with an exponent (`1.5E0`), since a plain `1.5` is a DECIMAL in Spark SQL.
    static func double(_ d: Double) -> String {
        if d.isNaN { return "CAST('NaN' AS DOUBLE)" }
        if d.isInfinite { return d > 0 ? "CAST('Infinity' AS DOUBLE)" : "CAST('-Infinity' AS DOUBLE)" }
        let text = String(d)
        return text.contains("e") || text.contains("E") ? text.uppercased() : text + "E0"
    }

    /// `2026-11-25 06:29:39.5Z`: UTC, said explicitly so the session's time zone does not shift it.
    static func timestamp(_ t: Timestamp) -> String {
        var text = t.rfc3339  // 2026-11-25T06:29:39.5Z
        if let tee = text.firstIndex(of: "T") { text.replaceSubrange(tee...tee, with: " ") }
        return text
    }
}

public struct SQLLiteralError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
