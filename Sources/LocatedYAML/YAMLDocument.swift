public import AloftWire
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
    /// several documents and anything past `limits` (size, nesting, alias expansion) are errors.
    public static func parse(
        _ text: String, file: String, limits: DocumentLimits
    ) throws(DocumentError) -> LocatedValue? {
        var text = text
        let bytes = text.utf8.count
        guard bytes <= limits.maxBytes else {
            throw DocumentError(
                SourceLocation(file: file, line: 1, column: 1),
                "the document is \(groupedDigits(bytes)) bytes, more than the limit of \(DocumentLimits.describe(bytes: limits.maxBytes))"
            )
        }
        let result: Result<LocatedValue?, DocumentError> = text.withUTF8 { bytes in
            var reader = EventReader(bytes: bytes, file: file, limits: limits)
            defer { reader.close() }
            return Result { () throws(DocumentError) -> LocatedValue? in try reader.document() }
        }
        return try result.get()
    }

    /// The same within `DocumentLimits.standard`.
    public static func parse(_ text: String, file: String) throws(DocumentError) -> LocatedValue? {
        try parse(text, file: file, limits: .standard)
    }

    public static let maxDepth = DocumentLimits.standard.maxDepth
}

/// Walks libyaml's event stream (the same C parser Yams wraps), building located values directly.
private struct EventReader: ~Copyable {
    // On the heap: libyaml stores pointers into the parser struct itself, so it must never move.
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let file: String
    private let limits: DocumentLimits
    private let bytes: Int
    private var anchors: [String: Read] = [:]
    /// Values added by aliases so far, each alias counting every value it stands for.
    private var aliasNodes = 0
    private var open = false

    /// A value read, with its size once aliases are expanded: what an alias of it adds where it stands.
    private struct Read {
        var value: LocatedValue
        var nodes: Int
        /// Collections nested inside it, itself included: 0 for a scalar.
        var levels: Int
    }

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, limits: DocumentLimits) {
        self.file = file
        self.limits = limits
        self.bytes = bytes.count
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
        guard open else {
            throw DocumentError(SourceLocation(file: file, line: 1, column: 1), "the YAML parser could not start")
        }
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
            if s.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || s.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE {
                place.column += 1
            }
            return .scalar(
                Self.string(s.value, s.length), plain: s.style == YAML_PLAIN_SCALAR_STYLE, tag: Self.cString(s.tag),
                anchor: Self.cString(s.anchor), place)
        case YAML_SEQUENCE_START_EVENT:
            return .sequenceStart(anchor: Self.cString(event.data.sequence_start.anchor), here)
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
        let root = try value(try next(), depth: 0).value
        guard case .documentEnd = try next() else { return root }
        if case .documentStart = try next() {
            throw DocumentError(root.location, "expected a single YAML document, found several (\"---\")")
        }
        return root
    }

    private func tooDeep(_ here: SourceLocation) -> DocumentError {
        DocumentError(here, "nesting deeper than \(limits.maxDepth) levels")
    }

    /// An alias stands for its whole value: its nesting counts where the alias stands, and its values count
    /// against what aliases may add to the document, so that a few bytes cannot expand to gigabytes.
    private mutating func expand(_ name: String, at here: SourceLocation, depth: Int) throws(DocumentError) -> Read {
        guard let r = anchors[name] else { throw DocumentError(here, "unknown alias *\(name)") }
        guard depth + r.levels <= limits.maxDepth else {
            throw DocumentError(
                here,
                "alias *\(name) brings \(r.levels) levels of nesting to a place \(depth) deep: nesting deeper than \(limits.maxDepth) levels"
            )
        }
        aliasNodes += r.nodes
        let allowance = limits.aliasAllowance(bytes: bytes)
        guard aliasNodes <= allowance else {
            throw DocumentError(
                here,
                "alias *\(name) expands to \(groupedDigits(r.nodes)) values, past the limit on what aliases may add to this document: "
                    + "\(groupedDigits(allowance)) values (\(limits.aliasNodesPerByte) per byte of its \(groupedDigits(bytes)) bytes; never more than \(groupedDigits(limits.maxAliasNodes)))"
            )
        }
        return r
    }

    /// A collection being read: what it holds so far.
    private struct OpenCollection {
        var here: SourceLocation
        var anchor: String?
        var isMapping: Bool
        var items: [LocatedValue] = []
        var members: [(key: String, keyLocation: SourceLocation, value: LocatedValue)] = []
        var seen: [String: SourceLocation] = [:]
        /// A mapping's key whose value comes next.
        var key: (String, SourceLocation)?
        var nodes = 1
        var levels = 0
    }

    /// The value that starts with `event`, read with a stack of open collections rather than recursion, so
    /// that the deepest document allowed needs no more than a little of a small thread stack.
    private mutating func value(_ event: Event, depth base: Int) throws(DocumentError) -> Read {
        var stack: [OpenCollection] = []
        var event = event
        while true {
            var done: Read?
            let expectsKey = stack.last.map { $0.isMapping && $0.key == nil } ?? false
            switch event {
            case .scalar(let text, let plain, let tag, let anchor, let here):
                if expectsKey {
                    if let first = stack[stack.count - 1].seen[text] {
                        throw DocumentError(here, "duplicate key \"\(text)\" (first at line \(first.line))")
                    }
                    stack[stack.count - 1].seen[text] = here
                    stack[stack.count - 1].key = (text, here)
                } else {
                    done = Read(value: .scalar(Self.scalar(text, plain: plain, tag: tag), here), nodes: 1, levels: 0)
                    if let anchor { anchors[anchor] = done }
                }
            case .alias(let name, let here):
                if expectsKey { throw DocumentError(here, "mapping keys must be strings") }
                done = try expand(name, at: here, depth: base + stack.count)
            case .sequenceStart(let anchor, let here), .mappingStart(let anchor, let here):
                if expectsKey { throw DocumentError(here, "mapping keys must be strings") }
                guard base + stack.count < limits.maxDepth else { throw tooDeep(here) }
                var isMapping = false
                if case .mappingStart = event { isMapping = true }
                stack.append(OpenCollection(here: here, anchor: anchor, isMapping: isMapping))
            case .end(let here):
                guard let c = stack.popLast() else { throw DocumentError(here, "unexpected end of a collection") }
                let value: LocatedValue = c.isMapping ? .mapping(c.members, c.here) : .sequence(c.items, c.here)
                done = Read(value: value, nodes: c.nodes, levels: c.levels + 1)
                if let anchor = c.anchor { anchors[anchor] = done }
            default:
                throw DocumentError(SourceLocation(file: file, line: 1, column: 1), "unexpected YAML structure")
            }
            if let done {
                guard !stack.isEmpty else { return done }
                let top = stack.count - 1
                if let (key, keyLocation) = stack[top].key {
                    stack[top].members.append((key, keyLocation, done.value))
                    stack[top].key = nil
                    stack[top].nodes += 1
                } else {
                    stack[top].items.append(done.value)
                }
                stack[top].nodes += done.nodes
                stack[top].levels = max(stack[top].levels, done.levels)
            }
            event = try next()
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
        guard let first = u.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (first >= 48 && first <= 57)
        else { return .string(s) }
        if u.count > 2, u[0] == 48, u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "o") {
            if let v = Int64(String(decoding: u[2...], as: UTF8.self), radix: u[1] == UInt8(ascii: "x") ? 16 : 8) {
                return .integer(v)
            }
            return .string(s)
        }
        var i = 0
        if u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
        var digits = 0, isFloat = false
        while i < u.count, u[i] >= 48, u[i] <= 57 {
            i += 1
            digits += 1
        }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                i += 1
                digits += 1
            }
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

/// `1234567` as `1,234,567`, for messages.
public func groupedDigits(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}
