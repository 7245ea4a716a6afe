@_exported import AloftWire
import Yams

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
    /// Parses YAML 1.1/1.2 (JSON is YAML too). Duplicate keys and non-string keys are errors.
    public static func parse(_ text: String, file: String) throws(DocumentError) -> LocatedValue? {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw describe(error, file: file)
        } catch {
            throw DocumentError(SourceLocation(file: file, line: 1, column: 1), "not valid YAML: \(error)")
        }
        guard let node else { return nil }
        return try convert(node, file: file)
    }

    private static func location(_ node: Node, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String) throws(DocumentError) -> LocatedValue {
        let here = location(node, file)
        switch node {
        case .scalar(let scalar):
            let tag = node.tag.description
            if tag.hasSuffix(":null") { return .scalar(.null, here) }
            if tag.hasSuffix(":bool"), let b = node.bool { return .scalar(.bool(b), here) }
            if tag.hasSuffix(":int") {
                if let i = Int64(scalar.string.replacingOccurrences(of: "_", with: "")) { return .scalar(.integer(i), here) }
                if let i = node.int { return .scalar(.integer(Int64(i)), here) }
            }
            if tag.hasSuffix(":float"), let d = node.float, d.isFinite { return .scalar(.float(d), here) }
            return .scalar(.string(scalar.string), here)
        case .sequence(let seq):
            var items: [LocatedValue] = []
            for child in seq { items.append(try convert(child, file: file)) }
            return .sequence(items, here)
        case .mapping(let map):
            var members: [(key: String, keyLocation: SourceLocation, value: LocatedValue)] = []
            var seen: [String: SourceLocation] = [:]
            for (k, v) in map {
                let keyLocation = location(k, file)
                guard case .scalar(let keyScalar) = k else { throw DocumentError(keyLocation, "mapping keys must be strings") }
                if let first = seen[keyScalar.string] {
                    throw DocumentError(keyLocation, "duplicate key \"\(keyScalar.string)\" (first at line \(first.line))")
                }
                seen[keyScalar.string] = keyLocation
                members.append((keyScalar.string, keyLocation, try convert(v, file: file)))
            }
            return .mapping(members, here)
        case .alias:
            return .scalar(.null, here)
        }
    }

    private static func describe(_ error: YamlError, file: String) -> DocumentError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return DocumentError(SourceLocation(file: file, line: mark.line, column: mark.column), "not valid YAML: \(what)")
        case .composer(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return DocumentError(SourceLocation(file: file, line: mark.line, column: mark.column), "not valid YAML: \(what)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            return DocumentError(SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                                 "duplicate key \(keys) in the mapping that starts here")
        default:
            return DocumentError(SourceLocation(file: file, line: 1, column: 1), "not valid YAML: \(error)")
        }
    }
}
