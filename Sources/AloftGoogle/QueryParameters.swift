public import AloftWire

/// Typed inputs as BigQuery named query parameters (`queryParameters`), never spliced into the SQL text.
///
///   integer -> INT64   float -> FLOAT64   string, enum -> STRING   boolean -> BOOL   datetime -> TIMESTAMP
///   list<T> -> ARRAY<T> (T one of those)  optional<T> -> T, NULL when left out
public enum QueryParameters {
    /// BigQuery's `parameterType` for a value of `type`; nil when BigQuery has no parameter type for it.
    public static func parameterType(_ type: LiteralType) -> JSON? {
        switch type {
        case .integer: return scalar("INT64")
        case .float: return scalar("FLOAT64")
        case .string, .enumeration: return scalar("STRING")
        case .boolean: return scalar("BOOL")
        case .datetime: return scalar("TIMESTAMP")
        case .list(let element):
            // BigQuery has no arrays of arrays, and an ARRAY element cannot be NULL.
            if case .list = element { return nil }
            if element.acceptsNone { return nil }
            guard let inner = parameterType(element) else { return nil }
            return .object(["type": .string("ARRAY"), "arrayType": inner])
        case .union(let variants):
            let rest = variants.filter { $0 != .none }
            guard rest.count == 1, variants.count == rest.count + 1 else { return nil }
            return parameterType(rest[0])
        default: return nil
        }
    }

    /// A `queryParameters` entry. Throws when the type has no BigQuery type or the value does not match it.
    public static func parameter(name: String, value: Literal, type: LiteralType) throws(QueryValueError) -> JSON {
        guard let parameterType = parameterType(type) else {
            throw QueryValueError("input \"\(name)\" is a \(type), which has no BigQuery query parameter type")
        }
        return .object([
            "name": .string(name), "parameterType": parameterType, "parameterValue": try self.value(value, name: name),
        ])
    }

    static func value(_ literal: Literal, name: String) throws(QueryValueError) -> JSON {
        switch literal {
        case .none: return .object([:])  // NULL
        case .integer(let i): return text(String(i))
        case .float(let d): return text(d.isFinite ? String(d) : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity")))
        case .string(let s), .enumeration(let s): return text(s)
        case .boolean(let b): return text(b ? "true" : "false")
        case .datetime(let t): return text(t.rfc3339)
        case .list(let items):
            var values: [JSON] = []
            for item in items { values.append(try value(item, name: name)) }
            return .object(["arrayValues": .array(values)])
        default:
            throw QueryValueError("input \"\(name)\" holds a value BigQuery cannot take as a query parameter")
        }
    }

    private static func scalar(_ name: String) -> JSON { .object(["type": .string(name)]) }
    private static func text(_ s: String) -> JSON { .object(["value": .string(s)]) }
}

public struct QueryValueError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
