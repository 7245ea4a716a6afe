#if canImport(Glibc)
import Glibc
#endif

/// File paths as strings, as NSString's path methods treat them, for modules that use FoundationEssentials
/// alone (NSString is in Foundation, which loads ICU and costs every command several milliseconds to start).
public enum PathString {
    /// The path without its last component: "/a/b/" -> "/a", "/a" -> "/", "a" -> "", "/" -> "/".
    public static func parent(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return trimmingTrailingSlashes(String(trimmed[..<slash]))
    }

    /// The last component: "/a/b/" -> "b", "/" -> "/", "" -> "".
    public static func lastComponent(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        if trimmed == "/" { return "/" }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `component` appended with one slash between: ("a/", "b") -> "a/b", ("", "b") -> "b", ("a", "/b") -> "a/b"
    /// (where NSString gave "a//b").
    public static func appending(_ path: String, _ component: String) -> String {
        guard !path.isEmpty else { return component }
        guard !component.isEmpty else { return path }
        let head = path.hasSuffix("/") ? String(path.dropLast()) : path
        let tail = component.hasPrefix("/") ? String(component.dropFirst()) : component
        return head + "/" + tail
    }

    /// The path without the last component's extension: "a/b.dot" -> "a/b", "a.d/b" -> "a.d/b".
    public static func deletingExtension(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        let last = lastComponent(trimmed)
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex, last.index(after: dot) != last.endIndex
        else { return trimmed }
        return String(trimmed.dropLast(last.distance(from: dot, to: last.endIndex)))
    }

    /// "~" and "~/x" with the home directory ($HOME, else the password database's); other paths unchanged.
    public static func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        guard let home = homeDirectory() else { return path }
        return home + path.dropFirst()
    }

    /// Tilde expanded, "." and ".." removed lexically, no trailing slash ("/a/./b/../c/" -> "/a/c").
    public static func standardized(_ path: String) -> String {
        let expanded = expandingTilde(path)
        let absolute = expanded.hasPrefix("/")
        var parts: [Substring] = []
        for part in expanded.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == ".." && absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? (expanded.isEmpty ? "" : ".") : joined)
    }

    /// The path with every symbolic link resolved (realpath(3)); standardized when it does not exist.
    public static func resolvingSymlinks(_ path: String) -> String {
        guard let resolved = realpath(expandingTilde(path), nil) else { return standardized(path) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func homeDirectory() -> String? {
        if let home = getenv("HOME"), home.pointee != 0 { return String(cString: home) }
        guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }
}
