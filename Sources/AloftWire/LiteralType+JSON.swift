// Wire form of types (docs/plugin-abi.md, "Types"):
//   "integer" | "float" | "string" | "boolean" | "datetime" | "duration" | "binary" | "struct" | "none"
//   {"blob": {"format": F, "dimensionality": "file"|"directory"}}
//   {"dataset": {"format": F, "columns": [{"name": N, "type": T}]}}
//   {"list": T}   {"map": T}   {"enum": [V...]}   {"union": [T...]}   {"optional": T} (read only)

extension LiteralType {
    public var json: JSON {
        switch self {
        case .none: return .string("none")
        case .integer: return .string("integer")
        case .float: return .string("float")
        case .string: return .string("string")
        case .boolean: return .string("boolean")
        case .datetime: return .string("datetime")
        case .duration: return .string("duration")
        case .binary: return .string("binary")
        case .structure: return .string("struct")
        case .blob(let b):
            return .object([
                "blob": .object(["format": .string(b.format), "dimensionality": .string(b.dimensionality.rawValue)])
            ])
        case .dataset(let d):
            let columns = d.columns.map { JSON.object(["name": .string($0.name), "type": $0.type.json]) }
            return .object(["dataset": .object(["format": .string(d.format), "columns": .array(columns)])])
        case .list(let t): return .object(["list": t.json])
        case .map(let t): return .object(["map": t.json])
        case .enumeration(let values): return .object(["enum": .array(values.map(JSON.string))])
        case .union(let variants): return .object(["union": .array(variants.map(\.json))])
        }
    }

    public init(json: JSON, path: String = "") throws(WireError) {
        switch json {
        case .string(let name):
            switch name {
            case "none": self = .none
            case "integer": self = .integer
            case "float": self = .float
            case "string": self = .string
            case "boolean": self = .boolean
            case "datetime": self = .datetime
            case "duration": self = .duration
            case "binary": self = .binary
            case "struct": self = .structure
            default: throw .at(path, "unknown type \"\(name)\"")
            }
        case .object(let members):
            guard members.count == 1, let (tag, body) = members.first else {
                throw .at(
                    path,
                    "a composite type is an object with exactly one key (blob, dataset, list, map, enum, union, optional)"
                )
            }
            let inner = join(path, tag)
            switch tag {
            case "list": self = .list(try LiteralType(json: body, path: inner))
            case "map": self = .map(try LiteralType(json: body, path: inner))
            case "optional": self = .optional(try LiteralType(json: body, path: inner))
            case "enum":
                guard let values = body.arrayValue, !values.isEmpty else {
                    throw .at(inner, "expected a non-empty array of strings")
                }
                var names: [String] = []
                for (i, v) in values.enumerated() {
                    guard let s = v.stringValue else {
                        throw .at("\(inner)[\(i)]", "expected a string, found \(v.kindName)")
                    }
                    if names.contains(s) { throw .at("\(inner)[\(i)]", "duplicate enum value \"\(s)\"") }
                    names.append(s)
                }
                self = .enumeration(names)
            case "union":
                guard let values = body.arrayValue, values.count >= 2 else {
                    throw .at(inner, "expected an array of at least two types")
                }
                var variants: [LiteralType] = []
                for (i, v) in values.enumerated() { variants.append(try LiteralType(json: v, path: "\(inner)[\(i)]")) }
                self = .union(variants)
            case "blob":
                let format = try optionalString(body, "format", inner) ?? ""
                let dim = try optionalString(body, "dimensionality", inner) ?? "file"
                guard let d = BlobType.Dimensionality(rawValue: dim) else {
                    throw .at(join(inner, "dimensionality"), "expected \"file\" or \"directory\", found \"\(dim)\"")
                }
                self = .blob(BlobType(format: format, dimensionality: d))
            case "dataset":
                let format = try optionalString(body, "format", inner) ?? ""
                var columns: [DatasetType.Column] = []
                if let cols = body["columns"] {
                    guard let array = cols.arrayValue else { throw .at(join(inner, "columns"), "expected an array") }
                    for (i, c) in array.enumerated() {
                        let cp = "\(join(inner, "columns"))[\(i)]"
                        guard let name = c["name"]?.stringValue else {
                            throw .at(cp, "a column needs a \"name\" string")
                        }
                        guard let t = c["type"] else { throw .at(cp, "a column needs a \"type\"") }
                        columns.append(.init(name: name, type: try LiteralType(json: t, path: join(cp, "type"))))
                    }
                }
                self = .dataset(DatasetType(format: format, columns: columns))
            default: throw .at(path, "unknown type \"\(tag)\"")
            }
        default:
            throw .at(path, "expected a type (a string or an object), found \(json.kindName)")
        }
    }
}

func optionalString(_ json: JSON, _ key: String, _ path: String) throws(WireError) -> String? {
    guard case .object(let members) = json else { throw .at(path, "expected an object, found \(json.kindName)") }
    guard let value = members[key] else { return nil }
    guard let s = value.stringValue else { throw .at(join(path, key), "expected a string, found \(value.kindName)") }
    return s
}

/// Named types: a task's input or output interface.
public typealias TypeMap = [String: LiteralType]

extension Dictionary where Key == String, Value == LiteralType {
    public var json: JSON { .object(mapValues(\.json)) }

    public init(json: JSON, path: String) throws(WireError) {
        guard let members = json.objectValue else {
            throw .at(path, "expected an object of types, found \(json.kindName)")
        }
        var out: [String: LiteralType] = [:]
        for (name, t) in members { out[name] = try LiteralType(json: t, path: join(path, name)) }
        self = out
    }
}
