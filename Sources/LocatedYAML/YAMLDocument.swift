@_exported import AloftWire
import CLibYAML

/// A place in a configuration or spec file, for error messages: `aloft.yaml:12:5`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A parsed YAML (or JSON) document whose every value remembers where it was written.
public indirect enum LocatedValue: Sendable {
    case scalar(JSON, SourceLocation)
    case sequence([LocatedValue], SourceLocation)
    case mapping([(key: String, keyLocation: SourceLocation, value: LocatedValue)], SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .scalar(_, let l), .sequence(_, let l), .mapping(_, let l): return l
        }
    }

    /// The value without locations.
    public var json: JSON {
        switch self {
        case .scalar(let j, _): return j
        case .sequence(let items, _): return .array(items.map(\.json))
        case .mapping(let members, _):
            var out: [String: JSON] = [:]
            for m in members { out[m.key] = m.value.json }
            return .object(out)
        }
    }

    public var kindName: String {
        switch self {
        case .scalar(let j, _): return j.kindName
        case .sequence: return "list"
        case .mapping: return "mapping"
        }
    }
}

/// Where and why a YAML document could not be read.
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

public enum YAMLDocument {
    /// Parses one YAML 1.2 document (JSON is YAML too) into located values. Plain scalars follow the core
    /// schema (see `CoreSchema`); quoted and block scalars are strings. Duplicate keys, non-scalar keys,
    /// several documents and nesting deeper than `maxDepth` are errors.
    public static func parse(_ text: String, file: String) throws(DocumentError) -> LocatedValue? {
        var text = text
        let result: Result<LocatedValue?, DocumentError> = text.withUTF8 { bytes in
            var reader = EventReader(bytes: bytes, file: file)
            defer { reader.close() }
            return Result { () throws(DocumentError) -> LocatedValue? in try reader.document() }
        }
        return try result.get()
    }

    public static let maxDepth = 256
}

/// Walks libyaml's event stream (the same C parser Yams wraps), building located values directly.
private struct EventReader: ~Copyable {
    // On the heap: libyaml stores pointers into the parser struct itself, so it must never move.
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let file: String
    private var anchors: [String: LocatedValue] = [:]
    private var open = false

    init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
        self.file = file
        // libyaml keeps the input pointer: the bytes must outlive the reader (they do: see `parse`).
        parser.initialize(to: yaml_parser_t())
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        open = yaml_parser_initialize(parser) != 0
        if open { yaml_parser_set_input_string(parser, base, bytes.count) }
    }

    mutating func close() {
        if open { yaml_parser_delete(parser) }
        open = false
        parser.deallocate()
    }

    private enum Event {
        case scalar(String, plain: Bool, tag: String?, anchor: String?, SourceLocation)
        case sequenceStart(anchor: String?, SourceLocation)
        case mappingStart(anchor: String?, SourceLocation)
        case alias(String, SourceLocation)
        case end(SourceLocation)  // sequence or mapping end
        case documentStart, documentEnd, streamStart, streamEnd
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?, _ length: Int) -> String {
        guard let p else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)
    }

    private static func cString(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private mutating func next() throws(DocumentError) -> Event {
        guard open else { throw DocumentError(SourceLocation(file: file, line: 1, column: 1), "the YAML parser could not start") }
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) != 0 else { throw parseError() }
        defer { yaml_event_delete(&event) }
        let here = location(event.start_mark)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            // A quoted scalar's place is its first character, not its opening quote, so offsets into the
            // text (a type expression, a condition) point at the right column.
            var place = here
            if s.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || s.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE { place.column += 1 }
            return .scalar(Self.string(s.value, s.length), plain: s.style == YAML_PLAIN_SCALAR_STYLE, tag: Self.cString(s.tag),
                           anchor: Self.cString(s.anchor), place)
        case YAML_SEQUENCE_START_EVENT: return .sequenceStart(anchor: Self.cString(event.data.sequence_start.anchor), here)
        case YAML_MAPPING_START_EVENT: return .mappingStart(anchor: Self.cString(event.data.mapping_start.anchor), here)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT: return .end(here)
        case YAML_ALIAS_EVENT: return .alias(Self.cString(event.data.alias.anchor) ?? "", here)
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_STREAM_START_EVENT: return .streamStart
        default: return .streamEnd
        }
    }

    private func parseError() -> DocumentError {
        let problem = parser.pointee.problem.map { String(cString: $0) } ?? "unknown error"
        let context = parser.pointee.context.map { String(cString: $0) }
        let what = [context, problem].compactMap { $0 }.joined(separator: " ")
        return DocumentError(location(parser.pointee.problem_mark), "not valid YAML: \(what)")
    }

    mutating func document() throws(DocumentError) -> LocatedValue? {
        guard open else { return nil }  // no bytes: no document
        guard case .streamStart = try next() else { return nil }
        guard case .documentStart = try next() else { return nil }  // an empty stream
        let root = try value(try next(), depth: 0)
        guard case .documentEnd = try next() else { return root }
        if case .documentStart = try next() {
            throw DocumentError(root.location, "expected a single YAML document, found several (\"---\")")
        }
        return root
    }

    private mutating func value(_ event: Event, depth: Int) throws(DocumentError) -> LocatedValue {
        switch event {
        case .scalar(let text, let plain, let tag, let anchor, let here):
            let v = LocatedValue.scalar(Self.scalar(text, plain: plain, tag: tag), here)
            if let anchor { anchors[anchor] = v }
            return v
        case .alias(let name, let here):
            guard let v = anchors[name] else { throw DocumentError(here, "unknown alias *\(name)") }
            return v
        case .sequenceStart(let anchor, let here):
            guard depth < YAMLDocument.maxDepth else { throw DocumentError(here, "nesting deeper than \(YAMLDocument.maxDepth) levels") }
            var items: [LocatedValue] = []
            while true {
                let e = try next()
                if case .end = e { break }
                items.append(try value(e, depth: depth + 1))
            }
            let v = LocatedValue.sequence(items, here)
            if let anchor { anchors[anchor] = v }
            return v
        case .mappingStart(let anchor, let here):
            guard depth < YAMLDocument.maxDepth else { throw DocumentError(here, "nesting deeper than \(YAMLDocument.maxDepth) levels") }
            var members: [(key: String, keyLocation: SourceLocation, value: LocatedValue)] = []
            var seen: [String: SourceLocation] = [:]
            while true {
                let e = try next()
                if case .end = e { break }
                guard case .scalar(let key, _, _, _, let keyLocation) = e else {
                    let where_: SourceLocation
                    switch e {
                    case .sequenceStart(_, let l), .mappingStart(_, let l), .alias(_, let l): where_ = l
                    default: where_ = here
                    }
                    throw DocumentError(where_, "mapping keys must be strings")
                }
                if let first = seen[key] {
                    throw DocumentError(keyLocation, "duplicate key \"\(key)\" (first at line \(first.line))")
                }
                seen[key] = keyLocation
                members.append((key, keyLocation, try value(try next(), depth: depth + 1)))
            }
            let v = LocatedValue.mapping(members, here)
            if let anchor { anchors[anchor] = v }
            return v
        case .end(let here):
            throw DocumentError(here, "unexpected end of a collection")
        default:
            throw DocumentError(SourceLocation(file: file, line: 1, column: 1), "unexpected YAML structure")
        }
    }

    /// Plain scalars by the core schema; explicit standard tags are honoured; everything else is a string.
    private static func scalar(_ text: String, plain: Bool, tag: String?) -> JSON {
        switch tag {
        case "tag:yaml.org,2002:str": return .string(text)
        case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null":
            return CoreSchema.classify(text)
        default: return plain ? CoreSchema.classify(text) : .string(text)
        }
    }
}

/// YAML 1.2 core schema for plain (unquoted) scalars: null, booleans, integers, floats; everything else
/// is a string. Unlike YAML 1.1, `yes`, `no`, `on` and `off` stay strings.
enum CoreSchema {
    static func classify(_ s: String) -> JSON {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
            return .string(s)  // not representable in JSON; kept as text
        default: break
        }
        let u = Array(s.utf8)
        guard let first = u.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
            || (first >= 48 && first <= 57) else { return .string(s) }
        if u.count > 2, u[0] == 48, u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "o") {
            if let v = Int64(String(decoding: u[2...], as: UTF8.self), radix: u[1] == UInt8(ascii: "x") ? 16 : 8) { return .integer(v) }
            return .string(s)
        }
        var i = 0
        if u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
        var digits = 0, isFloat = false
        while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1; digits += 1 }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1; digits += 1 }
        }
        guard digits > 0 else { return .string(s) }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
            let start = i
            while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1 }
            guard i > start else { return .string(s) }
        }
        guard i == u.count else { return .string(s) }
        let text = u[0] == UInt8(ascii: "+") ? String(s.dropFirst()) : s
        if !isFloat, let v = Int64(text) { return .integer(v) }
        if let d = Double(text), d.isFinite { return .float(d) }
        return .string(s)
    }
}
