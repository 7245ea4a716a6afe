public import AloftWire
public import LocatedYAML

/// Types as people write them in specs:
///
///     integer  float  string  boolean  datetime  duration  binary  struct  none
///     list<T>  map<T>  optional<T>  union<T1, T2, ...>  enum{a, b, c}
///     blob  blob<csv>  directory  directory<csv>  dataset  dataset<parquet>
///
/// The wire form (`{"list": "integer"}`, see docs/plugin-abi.md) is accepted too, as a YAML mapping.
public enum TypeSyntax {
    public static let simpleNames: [String: LiteralType] = [
        "none": .none, "integer": .integer, "float": .float, "string": .string, "boolean": .boolean,
        "datetime": .datetime, "duration": .duration, "binary": .binary, "struct": .structure,
    ]
    /// Types inside types (`list<map<...>>`): the parser recurses once per level.
    public static let maxNesting = 32
    static let allNames =
        simpleNames.keys.sorted() + ["blob", "dataset", "directory", "enum", "list", "map", "optional", "union"]

    /// Parses a type expression. Errors say what was wrong and what was expected, at a column offset
    /// (0-based) within the text.
    public static func parse(_ text: String) -> Result<LiteralType, TypeSyntaxError> {
        var p = Parser(Array(text.unicodeScalars))
        do {
            let t = try p.type(depth: 0)
            p.skipSpaces()
            if p.i < p.s.count {
                throw p.error("unexpected \"\(String(String.UnicodeScalarView(p.s[p.i...])))\" after the type")
            }
            return .success(t)
        } catch let e as TypeSyntaxError {
            return .failure(e)
        } catch {
            return .failure(TypeSyntaxError(offset: 0, message: "\(error)"))
        }
    }

    /// A type written in a spec: a type expression string, or the wire form as a mapping.
    public static func parse(_ value: LocatedValue) -> Result<LiteralType, DocumentError> {
        switch value {
        case .scalar(.string(let text), let location):
            return parse(text).mapError { e in
                var l = location
                l.column += e.offset
                return DocumentError(l, e.message)
            }
        case .mapping:
            do { return .success(try LiteralType(json: value.json)) } catch {
                return .failure(DocumentError(value.location, "invalid type: \(error)"))
            }
        default:
            return .failure(
                DocumentError(
                    value.location, "expected a type such as integer or list<string>, found \(value.kindName)"))
        }
    }

    private struct Parser {
        let s: [Unicode.Scalar]
        var i = 0

        init(_ s: [Unicode.Scalar]) { self.s = s }

        mutating func skipSpaces() { while i < s.count, s[i] == " " { i += 1 } }

        func error(_ message: String) -> TypeSyntaxError { TypeSyntaxError(offset: i, message: message) }

        mutating func word() -> String {
            skipSpaces()
            let start = i
            while i < s.count,
                s[i].properties.isAlphabetic || s[i].properties.numericType != nil || s[i] == "_" || s[i] == "-"
                    || s[i] == "."
            { i += 1 }
            return String(String.UnicodeScalarView(s[start..<i]))
        }

        mutating func expect(_ c: Unicode.Scalar, _ what: String) throws {
            skipSpaces()
            guard i < s.count, s[i] == c else { throw error("expected \(what)") }
            i += 1
        }

        mutating func peek(_ c: Unicode.Scalar) -> Bool {
            skipSpaces()
            return i < s.count && s[i] == c
        }

        mutating func type(depth: Int) throws -> LiteralType {
            guard depth < TypeSyntax.maxNesting else {
                throw error("type nested too deeply: more than \(TypeSyntax.maxNesting) levels")
            }
            skipSpaces()
            let start = i
            let name = word()
            if name.isEmpty {
                throw error(i < s.count ? "expected a type name, found \"\(s[i])\"" : "expected a type name")
            }
            if let simple = simpleNames[name] { return simple }
            switch name {
            case "list", "optional":
                try expect("<", "\"<\" after \(name)")
                let inner = try type(depth: depth + 1)
                try expect(">", "\">\" to close \(name)<...>")
                return name == "list" ? .list(inner) : .optional(inner)
            case "map":
                try expect("<", "\"<\" after map")
                var value = try type(depth: depth + 1)
                if peek(",") {
                    // map<string, T>: keys are always strings.
                    guard value == .string else {
                        i = start
                        throw error("map keys are always strings: write map<T> or map<string, T>")
                    }
                    i += 1
                    value = try type(depth: depth + 1)
                }
                try expect(">", "\">\" to close map<...>")
                return .map(value)
            case "union":
                try expect("<", "\"<\" after union")
                var variants = [try type(depth: depth + 1)]
                while peek(",") {
                    i += 1
                    variants.append(try type(depth: depth + 1))
                }
                try expect(">", "\">\" to close union<...>")
                guard variants.count >= 2 else {
                    i = start
                    throw error("a union needs at least two types")
                }
                return .union(variants)
            case "enum":
                try expect("{", "\"{\" after enum, as in enum{red, green}")
                var values: [String] = []
                // not `values.contains`: an enum of 10,000 values would take 50 million comparisons
                var seen = Set<String>()
                repeat {
                    if peek(",") { i += 1 }
                    let v = word()
                    if v.isEmpty { throw error("expected an enum value") }
                    if !seen.insert(v).inserted { throw error("duplicate enum value \"\(v)\"") }
                    values.append(v)
                } while peek(",")
                try expect("}", "\"}\" to close enum{...}")
                return .enumeration(values)
            case "blob", "directory", "dataset":
                var format = ""
                if peek("<") {
                    i += 1
                    format = word()
                    if format.isEmpty { throw error("expected a format name, as in \(name)<csv>") }
                    try expect(">", "\">\" to close \(name)<...>")
                }
                if name == "dataset" { return .dataset(DatasetType(format: format)) }
                return .blob(BlobType(format: format, dimensionality: name == "blob" ? .file : .directory))
            default:
                i = start
                let suggestion = closest(name, in: TypeSyntax.allNames).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw error("unknown type \"\(name)\"\(suggestion)")
            }
        }
    }
}

public struct TypeSyntaxError: Error, Sendable, Equatable {
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }
}
