// Plain values: how programs that know nothing of Aloft's literal encoding read inputs and write outputs.
// `3`, `0.5`, `"text"`, `true`, `[1, 2]`, `{"a": 1}`; blobs and datasets as a path or URI; datetimes and
// durations as their wire strings. The type says how to read a plain value back.

extension Literal {
    /// The value as a program would write it.
    public var plain: JSON {
        switch self {
        case .none: return .null
        case .integer(let i): return .integer(i)
        case .float(let d): return d.isFinite ? .float(d) : .string(d.isNaN ? "NaN" : d > 0 ? "Infinity" : "-Infinity")
        case .string(let s): return .string(s)
        case .boolean(let b): return .bool(b)
        case .datetime(let t): return .string(t.rfc3339)
        case .duration(let d): return .string(d.aloftWireString)
        case .binary(let b): return .string(Base64.encode(b))
        case .structure(let s): return .object(s)
        case .blob(let b): return .string(b.uri)
        case .dataset(let d): return .string(d.uri)
        case .list(let items): return .array(items.map(\.plain))
        case .map(let m): return .object(m.mapValues(\.plain))
        case .enumeration(let v): return .string(v)
        }
    }

    /// Reads a plain value as a literal of `type`. `resolve` turns a relative blob path into a URI.
    public init(plain: JSON, as type: LiteralType, path: String, resolve: (String) -> String = { $0 }) throws(WireError)
    {
        func fail() -> WireError { WireError(path: path, reason: "expected \(type), found \(plain.kindName)") }
        switch (type, plain) {
        case (.none, .null): self = .none
        case (.integer, .integer(let i)): self = .integer(i)
        case (.float, .float(let d)): self = .float(d)
        case (.float, .integer(let i)): self = .float(Double(i))
        case (.string, .string(let s)): self = .string(s)
        case (.boolean, .bool(let b)): self = .boolean(b)
        case (.datetime, .string(let s)):
            guard let t = Timestamp(rfc3339: s) else {
                throw WireError(path: path, reason: "\"\(s)\" is not an RFC 3339 date-time")
            }
            self = .datetime(t)
        case (.duration, .string(let s)):
            guard let d = Duration(aloftWireString: s) else {
                throw WireError(path: path, reason: "\"\(s)\" is not a duration like \"1.5s\"")
            }
            self = .duration(d)
        case (.binary, .string(let s)):
            guard let b = Base64.decode(s) else { throw WireError(path: path, reason: "not padded base64") }
            self = .binary(b)
        case (.structure, .object(let o)): self = .structure(o)
        case (.blob(let t), .string(let s)) where !s.isEmpty: self = .blob(BlobValue(uri: resolve(s), type: t))
        case (.dataset(let t), .string(let s)) where !s.isEmpty:
            self = .dataset(DatasetValue(uri: resolve(s), format: t.format))
        case (.list(let element), .array(let items)):
            var out: [Literal] = []
            for (i, item) in items.enumerated() {
                out.append(try Literal(plain: item, as: element, path: "\(path)[\(i)]", resolve: resolve))
            }
            self = .list(out)
        case (.map(let element), .object(let members)):
            var out: [String: Literal] = [:]
            for (k, v) in members {
                out[k] = try Literal(plain: v, as: element, path: "\(path).\(k)", resolve: resolve)
            }
            self = .map(out)
        case (.enumeration(let values), .string(let s)):
            guard values.contains(s) else {
                throw WireError(path: path, reason: "\"\(s)\" is not one of \(values.joined(separator: ", "))")
            }
            self = .enumeration(s)
        case (.union(let variants), _):
            for v in variants {
                if let l = try? Literal(plain: plain, as: v, path: path, resolve: resolve) {
                    self = l
                    return
                }
            }
            throw fail()
        default: throw fail()
        }
    }
}
