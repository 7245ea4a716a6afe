import AloftTyping
import AloftWire
import LocatedYAML

/// Reads fields of one mapping: reports unknown keys (with a suggestion), missing required keys and values
/// of the wrong kind into the diagnostics, and returns what could be read.
struct MappingReader {
    let members: [String: (key: SourceLocation, value: LocatedValue)]
    let order: [String]
    let location: SourceLocation
    let what: String

    /// nil (after reporting) when `value` is not a mapping.
    init?(_ value: LocatedValue, _ what: String, allowed: [String], _ d: inout Diagnostics) {
        guard case .mapping(let list, let location) = value else {
            d.error(value.location, "\(what) must be a mapping, found \(value.kindName)")
            return nil
        }
        var members: [String: (SourceLocation, LocatedValue)] = [:]
        var order: [String] = []
        for m in list {
            if allowed.contains(m.key) {
                members[m.key] = (m.keyLocation, m.value)
                order.append(m.key)
            } else {
                let hint = closest(m.key, in: allowed).map { "did you mean \"\($0)\"? " } ?? ""
                d.error(
                    m.keyLocation,
                    "unknown key \"\(m.key)\" in \(what); \(hint)expected one of: \(allowed.joined(separator: ", "))")
            }
        }
        self.members = members
        self.order = order
        self.location = location
        self.what = what
    }

    subscript(_ key: String) -> LocatedValue? { members[key]?.value }

    func has(_ key: String) -> Bool { members[key] != nil }

    func required(_ key: String, _ d: inout Diagnostics) -> LocatedValue? {
        if let v = members[key]?.value { return v }
        d.error(location, "\(what) is missing \"\(key)\"")
        return nil
    }

    func string(_ key: String, _ d: inout Diagnostics) -> Located<String>? {
        guard let v = self[key] else { return nil }
        guard case .scalar(.string(let s), let l) = v, !s.isEmpty else {
            d.error(v.location, "\(key) in \(what) must be a non-empty string, found \(v.kindName)")
            return nil
        }
        return Located(s, l)
    }

    func bool(_ key: String, _ d: inout Diagnostics) -> Bool? {
        guard let v = self[key] else { return nil }
        guard case .scalar(.bool(let b), _) = v else {
            d.error(v.location, "\(key) in \(what) must be true or false, found \(v.kindName)")
            return nil
        }
        return b
    }

    func int(_ key: String, range: ClosedRange<Int64>, _ d: inout Diagnostics) -> Int? {
        guard let v = self[key] else { return nil }
        guard case .scalar(.integer(let i), _) = v, range.contains(i) else {
            d.error(
                v.location, "\(key) in \(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return Int(i)
    }

    func strings(_ key: String, _ d: inout Diagnostics) -> [Located<String>]? {
        guard let v = self[key] else { return nil }
        guard case .sequence(let items, _) = v else {
            d.error(v.location, "\(key) in \(what) must be a list of strings, found \(v.kindName)")
            return nil
        }
        var out: [Located<String>] = []
        for item in items {
            if case .scalar(.string(let s), let l) = item, !s.isEmpty {
                out.append(Located(s, l))
            } else {
                d.error(item.location, "\(key) in \(what) must contain only non-empty strings, found \(item.kindName)")
            }
        }
        return out
    }

    /// Key/value pairs of a mapping-valued field, in written order.
    func entries(_ key: String, _ d: inout Diagnostics) -> [(key: Located<String>, value: LocatedValue)]? {
        guard let v = self[key] else { return nil }
        guard case .mapping(let list, _) = v else {
            d.error(v.location, "\(key) in \(what) must be a mapping, found \(v.kindName)")
            return nil
        }
        return list.map { (Located($0.key, $0.keyLocation), $0.value) }
    }
}

enum Names {
    /// Names of tasks, workflows, nodes, inputs and outputs: what a `$reference` can spell.
    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return s.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == "-" || ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil))
        }
            && s.count <= 128
    }

    static let rule = "letters, digits, \"_\" and \"-\", starting with a letter or \"_\""
}
