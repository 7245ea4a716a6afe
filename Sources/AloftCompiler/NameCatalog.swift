import AloftTyping
import LocatedYAML

/// A set of names that error messages offer (defined tasks, a workflow's nodes, a callee's inputs): listed
/// sorted and briefly, with the one nearest a misspelling. Built once per set and reused by every error
/// against it, so that 100,000 errors against 100,000 names stay linear in the spec's size.
final class NameCatalog {
    /// A list longer than this shows its first names and how many more there are.
    static let listedNames = 50

    private let sorted: [String]
    private let suggested: [String]?
    private var nearest: NearestName?
    private var rendered: String?

    /// `suggested`: the names a misspelling may be taken for, when not all listed ones.
    init(_ names: some Collection<String>, suggesting suggested: [String]? = nil) {
        sorted = names.sorted()
        self.suggested = suggested?.sorted()
    }

    /// "a, b, c"; "none" for no names; past `listedNames`, "a, b, ... and 99,950 more".
    var listed: String {
        if let rendered { return rendered }
        let text = Self.list(sorted)
        rendered = text
        return text
    }

    static func list(_ sorted: [String]) -> String {
        if sorted.isEmpty { return "none" }
        guard sorted.count > listedNames else { return sorted.joined(separator: ", ") }
        return sorted.prefix(listedNames).joined(separator: ", ")
            + " and \(groupedDigits(sorted.count - listedNames)) more"
    }

    func closest(to word: String) -> String? {
        if nearest == nil { nearest = NearestName(suggested ?? sorted) }
        return nearest!.closest(to: word)
    }

    /// "did you mean "x"? " or nothing.
    func hint(_ word: String) -> String {
        closest(to: word).map { "did you mean \"\($0)\"? " } ?? ""
    }
}

/// Names sorted and listed briefly, for a message about a set used once.
func list(_ names: some Collection<String>) -> String {
    NameCatalog.list(names.sorted())
}
