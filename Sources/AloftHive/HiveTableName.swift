/// The table a task's `{{ output_table }}` names: derived from the node's identity (project, domain,
/// execution, node — not the attempt), so a retry or a resumed run writes the same table again instead of
/// leaving a second one. Lower-case letters, digits and `_` (valid unquoted in Hive and Spark), at most 128
/// characters, the identity's hash always kept so two nodes cannot share a table.
public enum HiveTableName {
    public static let maxLength = 128

    public static func derive(project: String, domain: String, execution: String, node: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a 64
        for byte in "\(project)/\(domain)/\(execution)/\(node)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        let suffix = "_" + String(repeating: "0", count: 16 - hex.count) + hex
        var readable = ""
        for c in "aloft_\(execution)_\(node)".lowercased().unicodeScalars {
            let ok = (c >= "a" && c <= "z") || (c >= "0" && c <= "9")
            if ok { readable.unicodeScalars.append(c) } else if !readable.hasSuffix("_") { readable += "_" }
        }
        while readable.hasSuffix("_") { readable.removeLast() }
        return String(readable.prefix(maxLength - suffix.count)) + suffix
    }

    /// `` `db`.`name` `` (backquotes doubled inside), or `` `name` `` without a database.
    public static func sql(_ name: String, database: String?) -> String {
        let quote = { (s: String) in "`" + s.replacingBackquotes() + "`" }
        return (database.map { quote($0) + "." } ?? "") + quote(name)
    }
}

extension String {
    fileprivate func replacingBackquotes() -> String {
        var out = ""
        for c in self { out += c == "`" ? "``" : String(c) }
        return out
    }
}
