public import AloftWire

/// A task's query: statements separated by `;`, with `{{ inputs.NAME }}` placeholders that become typed SQL
/// literals. The template is split and its placeholders found by a small SQL lexer (quotes, backquotes and
/// comments understood) before any value is put in, so a value can never add a statement or end a quote.
public struct QueryTemplate: Sendable {
    public enum Piece: Sendable, Equatable {
        case text(String)
        case input(String)
        /// `{{ output_table }}`: the task's own table (HiveTableName), as a quoted identifier.
        case outputTable
    }

    /// A placeholder as written, for compile-time checks.
    public struct Placeholder: Sendable, Equatable {
        public var expression: String
        public var statement: Int
        /// Inside '...' or "..." in the template: it would render a quoted literal inside quotes.
        public var quoted: Bool
    }

    public let statements: [[Piece]]
    public let placeholders: [Placeholder]
    public static let inputPrefix = "inputs."
    public static let outputTable = "output_table"

    public var usesOutputTable: Bool { placeholders.contains { $0.expression == Self.outputTable } }

    public init(_ text: String) throws(QueryTemplateError) {
        var statements: [[Piece]] = []
        var placeholders: [Placeholder] = []
        var pieces: [Piece] = []
        var buffer: [UInt8] = []
        let b = Array(text.utf8)
        var i = 0
        var quote: UInt8?  // ', " or ` while inside one
        func flushText() {
            if !buffer.isEmpty { pieces.append(.text(String(decoding: buffer, as: UTF8.self))) }
            buffer.removeAll()
        }
        func endStatement() {
            flushText()
            let meaningful = pieces.contains {
                if case .text(let t) = $0 { return !Self.isBlank(t) }
                return true
            }
            if meaningful { statements.append(pieces) }
            pieces.removeAll()
        }
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "{"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "{") {
                guard let close = Self.find(b, [UInt8(ascii: "}"), UInt8(ascii: "}")], from: i + 2) else {
                    throw QueryTemplateError("unclosed {{ in the query")
                }
                let expression = String(decoding: b[(i + 2)..<close], as: UTF8.self).trimmingSpaces()
                placeholders.append(
                    Placeholder(
                        expression: expression, statement: statements.count,
                        quoted: quote != nil && quote != UInt8(ascii: "`")))
                flushText()
                if expression.hasPrefix(Self.inputPrefix) {
                    pieces.append(.input(String(expression.dropFirst(Self.inputPrefix.count))))
                } else if expression == Self.outputTable {
                    pieces.append(.outputTable)
                } else {
                    pieces.append(.input(expression))  // reported by `problems`; rendering fails on it
                }
                i = close + 2
                continue
            }
            if let q = quote {
                buffer.append(c)
                if c == UInt8(ascii: "\\"), q != UInt8(ascii: "`"), i + 1 < b.count {
                    buffer.append(b[i + 1])
                    i += 2
                    continue
                }
                if c == q { quote = nil }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                quote = c
                buffer.append(c)
                i += 1
            case UInt8(ascii: "-") where i + 1 < b.count && b[i + 1] == UInt8(ascii: "-"):
                let end = b[i...].firstIndex(of: UInt8(ascii: "\n")) ?? b.count
                buffer += b[i..<end]
                i = end
            case UInt8(ascii: "/") where i + 1 < b.count && b[i + 1] == UInt8(ascii: "*"):
                guard let close = Self.find(b, [UInt8(ascii: "*"), UInt8(ascii: "/")], from: i + 2) else {
                    throw QueryTemplateError("unclosed /* comment in the query")
                }
                buffer += b[i..<(close + 2)]
                i = close + 2
            case UInt8(ascii: ";"):
                endStatement()
                i += 1
            default:
                buffer.append(c)
                i += 1
            }
        }
        if let quote { throw QueryTemplateError("unclosed \(String(UnicodeScalar(quote))) in the query") }
        endStatement()
        self.statements = statements
        self.placeholders = placeholders
    }

    /// The statements with every placeholder replaced by its input's SQL literal (and `{{ output_table }}` by
    /// `outputTable`, an identifier the caller quoted).
    public func render(_ inputs: LiteralMap, outputTable: String? = nil) throws(QueryTemplateError) -> [String] {
        var out: [String] = []
        for pieces in statements {
            var sql = ""
            for piece in pieces {
                switch piece {
                case .text(let t): sql += t
                case .outputTable:
                    guard let outputTable else { throw QueryTemplateError("{{ output_table }} has no table here") }
                    sql += outputTable
                case .input(let name):
                    guard let value = inputs[name] else {
                        throw QueryTemplateError("no input \"\(name)\" for {{ inputs.\(name) }}")
                    }
                    do { sql += try SQLLiteral.render(value) } catch {
                        throw QueryTemplateError("input \"\(name)\": \(error.description)")
                    }
                }
            }
            out.append(sql.trimmingSpaces())
        }
        return out
    }

    /// What is wrong with the template for a task with these inputs: placeholders that name no input or are
    /// quoted, inputs whose type has no SQL literal form, no statement at all.
    public func problems(inputs: TypeMap) -> [(input: String?, message: String)] {
        var found: [(String?, String)] = []
        if statements.isEmpty { found.append((nil, "the query has no statement")) }
        var reported: Set<String> = []
        for p in placeholders {
            if p.expression == Self.outputTable {
                if p.quoted {
                    found.append(
                        (
                            nil,
                            "{{ output_table }} is inside quotes: write it bare, it becomes a quoted identifier itself"
                        ))
                }
                continue
            }
            guard p.expression.hasPrefix(Self.inputPrefix) else {
                found.append(
                    (
                        nil,
                        "{{ \(p.expression) }} is not a placeholder this task knows; write {{ inputs.NAME }} or {{ output_table }}"
                    ))
                continue
            }
            let name = String(p.expression.dropFirst(Self.inputPrefix.count))
            if p.quoted {
                found.append(
                    (
                        nil,
                        "{{ \(p.expression) }} is inside quotes: write it bare, it becomes a quoted SQL literal itself"
                    ))
            }
            guard let type = inputs[name] else {
                let known = inputs.keys.sorted()
                found.append(
                    (
                        nil,
                        "{{ \(p.expression) }} names no input of this task"
                            + (known.isEmpty ? " (it has none)" : "; inputs: \(known.joined(separator: ", "))")
                    ))
                continue
            }
            if !reported.contains(name), let why = SQLLiteral.unsupported(type) {
                reported.insert(name)
                found.append((name, "input \"\(name)\" (\(type)) is used in the query but \(why)"))
            }
        }
        return found
    }

    static func find(_ b: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        var i = from
        while i + needle.count <= b.count {
            if b[i] == needle[0] && b[i + 1] == needle[1] { return i }
            i += 1
        }
        return nil
    }

    static func isBlank(_ text: String) -> Bool {
        // Whitespace and comments only.
        var rest = Substring(text)
        while let c = rest.first {
            if c.isWhitespace {
                rest.removeFirst()
                continue
            }
            if rest.hasPrefix("--") {
                rest = rest.drop { $0 != "\n" }
                continue
            }
            if rest.hasPrefix("/*"), let end = rest.firstRange(of: "*/") {
                rest = rest[end.upperBound...]
                continue
            }
            return false
        }
        return true
    }
}

public struct QueryTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
