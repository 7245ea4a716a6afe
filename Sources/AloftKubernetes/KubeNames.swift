import AloftWire

/// Kubernetes object names and label values built from Aloft's ids.
public enum KubeNames {
    /// A DNS-1123 label (≤ 63 characters of a-z, 0-9 and `-`, starting and ending alphanumeric) made from
    /// `text`: lowercased, other characters as `-`; when it had to be shortened or changed, a hash of the
    /// original keeps two different ids apart.
    public static func objectName(_ text: String) -> String {
        if isLabel(text) { return text }
        var out = ""
        var lastDash = false
        for ch in text.lowercased().unicodeScalars {
            if (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") {
                out.unicodeScalars.append(ch)
                lastDash = false
            } else if !lastDash && !out.isEmpty {
                out += "-"
                lastDash = true
            }
        }
        let suffix = "-" + String(FNV1a.hex64(text.utf8).prefix(10))
        var head = Substring(out.prefix(63 - suffix.count))
        while head.hasSuffix("-") { head.removeLast() }
        if head.isEmpty || !(head.first!.isLetter) { head = "a" + head.prefix(62 - suffix.count) }
        return head + suffix
    }

    /// Whether `s` is a DNS-1123 label (what namespaces, pod names and most object names must be).
    public static func isLabel(_ s: String) -> Bool {
        guard (1...63).contains(s.utf8.count), let first = s.utf8.first, let last = s.utf8.last else { return false }
        func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        return alnum(first) && alnum(last) && s.utf8.allSatisfy { alnum($0) || $0 == 45 }
    }

    /// A label value (≤ 63 of alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric; may be empty):
    /// other characters become `_`, a longer value is cut.
    public static func labelValue(_ text: String) -> String {
        var out = String(
            text.unicodeScalars.map { ch -> Character in
                let ok =
                    (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch == "-"
                    || ch == "_" || ch == "."
                return ok ? Character(ch) : "_"
            }
        ).prefix(63)
        while let f = out.first, !(f.isLetter || f.isNumber) { out.removeFirst() }
        while let l = out.last, !(l.isLetter || l.isNumber) { out.removeLast() }
        return String(out)
    }
}
