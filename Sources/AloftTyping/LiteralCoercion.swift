public import AloftWire
public import LocatedYAML

/// Reads a value written in a spec (a default, a literal binding, a `-i name=value`) as a literal of the
/// type it is meant to have. An integer is accepted where a float is expected; nothing else is converted.
public enum LiteralCoercion {
    /// Lists and maps inside one another in one value: coercion recurses once per level.
    public static let maxNesting = 64

    /// An enum's values in a message: the first `listedValues`, then how many more.
    static let listedValues = 50

    /// `enums`: shared by the literals of one compilation, so that each large enum's values are hashed once.
    public static func literal(
        _ value: LocatedValue, as type: LiteralType, enums: EnumMembership = EnumMembership()
    )
        -> Result<Literal, DocumentError>
    {
        Result { try coerce(value, type, depth: 0, enums) }.mapError { $0 as! DocumentError }
    }

    private static func fail(_ value: LocatedValue, _ type: LiteralType, _ extra: String = "") -> DocumentError {
        DocumentError(value.location, "expected a value of type \(type), found \(describe(value))\(extra)")
    }

    static func describe(_ value: LocatedValue) -> String {
        switch value {
        case .scalar(.string(let s), _): return "the string \"\(s.count > 40 ? String(s.prefix(40)) + "..." : s)\""
        case .scalar(.integer(let i), _): return "the integer \(i)"
        case .scalar(.float(let d), _): return "the number \(d)"
        case .scalar(.bool(let b), _): return "\(b)"
        case .scalar(.null, _): return "null"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar: return value.kindName
        }
    }

    private static func coerce(
        _ value: LocatedValue, _ type: LiteralType, depth: Int, _ enums: EnumMembership
    ) throws -> Literal {
        guard depth < maxNesting else {
            throw DocumentError(value.location, "value nested too deeply: more than \(maxNesting) levels")
        }
        switch (type, value) {
        case (.none, .scalar(.null, _)): return .none
        case (.integer, .scalar(.integer(let i), _)): return .integer(i)
        case (.float, .scalar(.float(let d), _)): return .float(d)
        case (.float, .scalar(.integer(let i), _)): return .float(Double(i))
        case (.string, .scalar(.string(let s), _)): return .string(s)
        case (.string, .scalar(let j, _)) where j != .null:
            throw fail(value, type, " (quote it to make it a string)")
        case (.boolean, .scalar(.bool(let b), _)): return .boolean(b)
        case (.datetime, .scalar(.string(let s), _)):
            guard let t = Timestamp(rfc3339: s) else {
                throw fail(value, type, "; write an RFC 3339 date-time like 2026-11-25T06:00:00Z")
            }
            return .datetime(t)
        case (.duration, .scalar(.string(let s), _)):
            guard let d = HumanDuration.parse(s) else {
                throw fail(value, type, "; write a duration like 90s, 250ms or 1h30m")
            }
            return .duration(d)
        case (.binary, .scalar(.string(let s), _)):
            guard let b = Base64.decode(s) else { throw fail(value, type, "; write padded base64") }
            return .binary(b)
        case (.structure, .mapping):
            guard case .object(let members) = value.json else { throw fail(value, type) }
            return .structure(members)
        case (.blob(let t), .scalar(.string(let uri), _)):
            guard !uri.isEmpty else { throw fail(value, type, "; a blob is a path or URI") }
            return .blob(BlobValue(uri: uri, type: t))
        case (.dataset(let t), .scalar(.string(let uri), _)):
            guard !uri.isEmpty else { throw fail(value, type, "; a dataset is a path or URI") }
            return .dataset(DatasetValue(uri: uri, format: t.format))
        case (.list(let element), .sequence(let items, _)):
            return .list(try items.map { try coerce($0, element, depth: depth + 1, enums) })
        case (.map(let element), .mapping(let members, _)):
            var out: [String: Literal] = [:]
            for m in members { out[m.key] = try coerce(m.value, element, depth: depth + 1, enums) }
            return .map(out)
        case (.enumeration(let values), .scalar(.string(let s), _)):
            guard enums.contains(s, in: values) else {
                let hint = closest(s, in: values).map { " (did you mean \"\($0)\"?)" } ?? ""
                let listed =
                    values.count <= listedValues
                    ? values.joined(separator: ", ")
                    : values.prefix(listedValues).joined(separator: ", ")
                        + " and \(groupedDigits(values.count - listedValues)) more"
                throw DocumentError(value.location, "\"\(s)\" is not one of \(listed)\(hint)")
            }
            return .enumeration(s)
        case (.union(let variants), _):
            // The first variant that accepts the value; `none` only for null.
            for variant in variants {
                if let l = try? coerce(value, variant, depth: depth + 1, enums) { return l }
            }
            throw fail(value, type)
        default:
            throw fail(value, type)
        }
    }

    /// Parses `text` as a command-line value of `type`: YAML flow syntax, so `3`, `0.5`, `[1, 2]`,
    /// `{a: 1}`, `"quoted"`; a plain word for a string, an enum or a blob needs no quotes.
    public static func literal(
        commandLine text: String, as type: LiteralType, name: String
    ) -> Result<Literal, DocumentError> {
        let file = "-i \(name)"
        switch type {
        case .string, .enumeration, .blob, .dataset, .datetime, .duration, .binary:
            if !text.hasPrefix("\"") && !text.hasPrefix("'") {
                return literal(.scalar(.string(text), SourceLocation(file: file, line: 1, column: 1)), as: type)
            }
        default: break
        }
        do {
            guard let value = try YAMLDocument.parse(text, file: file) else {
                return literal(.scalar(.null, SourceLocation(file: file, line: 1, column: 1)), as: type)
            }
            return literal(value, as: type)
        } catch {
            return .failure(error)
        }
    }
}
