public import AloftWire

/// What may flow into what: whether a value of type `source` may be bound to an input of type `target`.
///
/// - Every type flows into itself.
/// - `none` flows into any union that has `none` (so into every optional).
/// - A type flows into a union when it flows into one of its variants; a union flows into a type when
///   each of its variants does.
/// - `list<S>` flows into `list<T>` and `map<S>` into `map<T>` when S flows into T.
/// - A blob flows into a blob of the same dimensionality when the formats agree; an empty format on either
///   side means "any format". Datasets likewise, and the target's declared columns must all be in the
///   source with types that flow.
/// - An enum flows into an enum that has all of its values.
/// - Nothing else converts implicitly: an integer is not a float, an enum is not a string.
public enum TypeCompatibility {
    public static func canFlow(from source: LiteralType, to target: LiteralType) -> Bool {
        if source == target { return true }
        switch (source, target) {
        case (.union(let variants), _):
            return variants.allSatisfy { canFlow(from: $0, to: target) }
        case (_, .union(let variants)):
            return variants.contains { canFlow(from: source, to: $0) }
        case (.list(let s), .list(let t)), (.map(let s), .map(let t)):
            return canFlow(from: s, to: t)
        case (.blob(let s), .blob(let t)):
            return s.dimensionality == t.dimensionality && formatsAgree(s.format, t.format)
        case (.dataset(let s), .dataset(let t)):
            guard formatsAgree(s.format, t.format) else { return false }
            if t.columns.isEmpty || s.columns.isEmpty { return true }
            return t.columns.allSatisfy { tc in
                s.columns.contains { $0.name == tc.name && canFlow(from: $0.type, to: tc.type) }
            }
        case (.enumeration(let s), .enumeration(let t)):
            return Set(s).isSubset(of: Set(t))
        default:
            return false
        }
    }

    static func formatsAgree(_ a: String, _ b: String) -> Bool { a.isEmpty || b.isEmpty || a == b }
}
