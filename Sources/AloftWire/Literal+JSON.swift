// Wire form of literals (docs/plugin-abi.md, "Literals"): an object with exactly one key naming the kind.
//   {"none": null} {"integer": 42} {"float": 0.5} {"string": "s"} {"boolean": true}
//   {"datetime": "2026-11-25T06:00:00Z"} {"duration": "1.5s"} {"binary": "<base64>"} {"struct": {...}}
//   {"blob": {"uri": U, "format": F, "dimensionality": "file"|"directory"}} {"dataset": {"uri": U, "format": F}}
//   {"list": [L...]} {"map": {"k": L}} {"enum": "value"}
// Non-finite floats: {"float": "NaN"}, {"float": "Infinity"}, {"float": "-Infinity"}.

extension Literal {
    public var json: JSON {
        switch self {
        case .none: return .object(["none": .null])
        case .integer(let i): return .object(["integer": .integer(i)])
        case .float(let d):
            if d.isNaN { return .object(["float": .string("NaN")]) }
            if d.isInfinite { return .object(["float": .string(d > 0 ? "Infinity" : "-Infinity")]) }
            return .object(["float": .float(d)])
        case .string(let s): return .object(["string": .string(s)])
        case .boolean(let b): return .object(["boolean": .bool(b)])
        case .datetime(let t): return .object(["datetime": .string(t.rfc3339)])
        case .duration(let d): return .object(["duration": .string(d.aloftWireString)])
        case .binary(let b): return .object(["binary": .string(Base64.encode(b))])
        case .structure(let s): return .object(["struct": .object(s)])
        case .blob(let b):
            return .object([
                "blob": .object([
                    "uri": .string(b.uri), "format": .string(b.type.format),
                    "dimensionality": .string(b.type.dimensionality.rawValue),
                ])
            ])
        case .dataset(let d):
            return .object(["dataset": .object(["uri": .string(d.uri), "format": .string(d.format)])])
        case .list(let items): return .object(["list": .array(items.map(\.json))])
        case .map(let entries): return .object(["map": .object(entries.mapValues(\.json))])
        case .enumeration(let v): return .object(["enum": .string(v)])
        }
    }

    /// `path`: where the literal is, for errors only (built only for one: a plugin's outputs are read per call).
    public init(json: JSON, path: @autoclosure () -> String = "") throws(WireError) {
        guard case .object(let members) = json, members.count == 1, let (tag, body) = members.first else {
            throw .at(path(), "a literal is an object with exactly one key naming its kind, e.g. {\"integer\": 1}")
        }
        var inner: String { join(path(), tag) }
        func want<T>(_ value: T?, _ expected: String) throws(WireError) -> T {
            guard let value else { throw .at(inner, "expected \(expected), found \(body.kindName)") }
            return value
        }
        switch tag {
        case "none":
            guard body == .null else { throw .at(inner, "expected null, found \(body.kindName)") }
            self = .none
        case "integer": self = .integer(try want(body.integerValue, "an integer"))
        case "float":
            switch body {
            case .float(let d): self = .float(d)
            case .integer(let i): self = .float(Double(i))
            case .string("NaN"): self = .float(.nan)
            case .string("Infinity"): self = .float(.infinity)
            case .string("-Infinity"): self = .float(-.infinity)
            default: throw .at(inner, "expected a number, found \(body.kindName)")
            }
        case "string": self = .string(try want(body.stringValue, "a string"))
        case "boolean": self = .boolean(try want(body.boolValue, "true or false"))
        case "datetime":
            let text = try want(body.stringValue, "an RFC 3339 string")
            guard let t = Timestamp(rfc3339: text) else {
                throw .at(inner, "\"\(text)\" is not an RFC 3339 date-time like 2026-11-25T06:00:00Z")
            }
            self = .datetime(t)
        case "duration":
            let text = try want(body.stringValue, "a duration string")
            guard let d = Duration(aloftWireString: text) else {
                throw .at(inner, "\"\(text)\" is not a duration in seconds like \"1.5s\"")
            }
            self = .duration(d)
        case "binary":
            let text = try want(body.stringValue, "a base64 string")
            guard let bytes = Base64.decode(text) else { throw .at(inner, "not valid padded base64") }
            self = .binary(bytes)
        case "struct": self = .structure(try want(body.objectValue, "an object"))
        case "blob":
            guard let uri = try optionalString(body, "uri", inner) else { throw .at(inner, "a blob needs a \"uri\"") }
            let format = try optionalString(body, "format", inner) ?? ""
            let dim = try optionalString(body, "dimensionality", inner) ?? "file"
            guard let d = BlobType.Dimensionality(rawValue: dim) else {
                throw .at(join(inner, "dimensionality"), "expected \"file\" or \"directory\", found \"\(dim)\"")
            }
            self = .blob(BlobValue(uri: uri, type: BlobType(format: format, dimensionality: d)))
        case "dataset":
            guard let uri = try optionalString(body, "uri", inner) else {
                throw .at(inner, "a dataset needs a \"uri\"")
            }
            self = .dataset(DatasetValue(uri: uri, format: try optionalString(body, "format", inner) ?? ""))
        case "list":
            let items = try want(body.arrayValue, "an array")
            var out: [Literal] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() { out.append(try Literal(json: item, path: "\(inner)[\(i)]")) }
            self = .list(out)
        case "map":
            let entries = try want(body.objectValue, "an object")
            var out: [String: Literal] = [:]
            for (k, v) in entries { out[k] = try Literal(json: v, path: join(inner, k)) }
            self = .map(out)
        case "enum": self = .enumeration(try want(body.stringValue, "a string"))
        default: throw .at(path(), "unknown literal kind \"\(tag)\"")
        }
    }
}

extension Dictionary where Key == String, Value == Literal {
    public var json: JSON { .object(mapValues(\.json)) }

    /// `path`: where the map is, for errors only.
    public init(json: JSON, path: @autoclosure () -> String) throws(WireError) {
        guard let members = json.objectValue else {
            throw .at(path(), "expected an object of literals, found \(json.kindName)")
        }
        var out: [String: Literal] = [:]
        out.reserveCapacity(members.count)
        for (name, l) in members { out[name] = try Literal(json: l, path: join(path(), name)) }
        self = out
    }

    /// Canonical bytes of a literal map, e.g. a plugin's outputs.
    public var canonicalBytes: [UInt8] {
        var w = JSONWriter()
        w.write(literalMap: self)
        return w.bytes
    }

    public init(bytes: some Collection<UInt8>, path: String = "") throws(WireError) {
        // Scalars (most outputs) straight from the text; anything else, and every error, through the JSON tree.
        if let scalars = bytes.withContiguousStorageIfAvailable({ JSONParser.scalarLiteralMap($0) }), let scalars {
            self = scalars
            return
        }
        let parsed: JSON
        do { parsed = try JSONParser.parse(bytes) } catch { throw .at(path, "not valid JSON: \(error)") }
        try self.init(json: parsed, path: path)
    }
}
