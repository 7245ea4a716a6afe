extension Literal {
    /// Why this literal is not a value of `type`, or nil when it is. Used to validate what plugins return.
    /// Exact: no coercion (an integer is not a float; coercions belong to whoever produced the value).
    public func mismatch(against type: LiteralType, path: String = "") -> String? {
        let here = path.isEmpty ? "value" : path
        switch (self, type) {
        case (.none, .none), (.integer, .integer), (.float, .float), (.string, .string), (.boolean, .boolean),
            (.datetime, .datetime), (.duration, .duration), (.binary, .binary), (.structure, .structure):
            return nil
        case (.blob(let value), .blob(let expected)):
            if value.type.dimensionality != expected.dimensionality {
                return
                    "\(here): expected a \(expected.dimensionality.rawValue) blob, got a \(value.type.dimensionality.rawValue)"
            }
            if !expected.format.isEmpty && !value.type.format.isEmpty && value.type.format != expected.format {
                return "\(here): expected blob format \"\(expected.format)\", got \"\(value.type.format)\""
            }
            return nil
        case (.dataset(let value), .dataset(let expected)):
            if !expected.format.isEmpty && !value.format.isEmpty && value.format != expected.format {
                return "\(here): expected dataset format \"\(expected.format)\", got \"\(value.format)\""
            }
            return nil
        case (.list(let items), .list(let element)):
            for (i, item) in items.enumerated() {
                if let m = item.mismatch(against: element, path: "\(here)[\(i)]") { return m }
            }
            return nil
        case (.map(let entries), .map(let valueType)):
            for key in entries.keys.sorted() {
                if let m = entries[key]!.mismatch(against: valueType, path: "\(here)[\"\(key)\"]") { return m }
            }
            return nil
        case (.enumeration(let v), .enumeration(let values)):
            return values.contains(v) ? nil : "\(here): \"\(v)\" is not one of \(values.joined(separator: ", "))"
        case (_, .union(let variants)):
            if variants.contains(where: { mismatch(against: $0, path: path) == nil }) { return nil }
            return "\(here): a \(kindName) matches none of \(type)"
        default:
            return "\(here): expected \(type), got \(kindName)"
        }
    }

    public var kindName: String {
        switch self {
        case .none: return "none"
        case .integer: return "integer"
        case .float: return "float"
        case .string: return "string"
        case .boolean: return "boolean"
        case .datetime: return "datetime"
        case .duration: return "duration"
        case .binary: return "binary"
        case .structure: return "struct"
        case .blob: return "blob"
        case .dataset: return "dataset"
        case .list: return "list"
        case .map: return "map"
        case .enumeration: return "enum"
        }
    }
}

extension Dictionary where Key == String, Value == Literal {
    /// Every problem with these values as an interface's `types`: missing, unexpected and mistyped names.
    public func mismatches(against types: [String: LiteralType]) -> [String] {
        // The common answer first, without sorting names (every task's outputs are checked: one per node).
        if count <= types.count,
            types.allSatisfy({ name, type in
                self[name].map { $0.mismatch(against: type, path: name) == nil } ?? type.acceptsNone
            }),
            allSatisfy({ types[$0.key] != nil })
        {
            return []
        }
        var problems: [String] = []
        for name in types.keys.sorted() {
            guard let value = self[name] else {
                if types[name]!.acceptsNone { continue }
                problems.append("\(name): missing (expected \(types[name]!))")
                continue
            }
            if let m = value.mismatch(against: types[name]!, path: name) { problems.append(m) }
        }
        for name in keys.sorted() where types[name] == nil { problems.append("\(name): not declared in the interface") }
        return problems
    }
}
