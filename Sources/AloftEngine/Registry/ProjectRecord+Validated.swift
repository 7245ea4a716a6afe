import AloftSystem
import FoundationEssentials

extension ProjectRecord {
    /// A project as a user asked for it (`aloft projects create`, `POST /api/v1/projects`), checked: ids and
    /// domains of letters, digits, - and _ (at most 63 characters, so they fit DNS labels and paths), no
    /// domain twice; no domains means the default three. The error names the field at fault.
    public static func validated(
        id: String, description: String, domains: [String]
    ) throws(InvalidProject)
        -> ProjectRecord
    {
        guard isName(id) else {
            throw InvalidProject(
                field: "id", message: "project id \"\(id)\": use letters, digits, - and _ (at most 63 characters)")
        }
        for d in domains where !isName(d) {
            throw InvalidProject(
                field: "domains", message: "domain \"\(d)\": use letters, digits, - and _ (at most 63 characters)")
        }
        let list = domains.isEmpty ? defaultDomains : domains
        guard Set(list).count == list.count else {
            throw InvalidProject(
                field: "domains", message: "a domain is given twice: \(list.joined(separator: ", "))")
        }
        return ProjectRecord(id: id, description: description, domains: list)
    }

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 63
            && s.unicodeScalars.allSatisfy {
                $0.isAlphanumeric || "-_".unicodeScalars.contains($0)
            }
    }
}

/// A project's id or domains refused: `field` is the one at fault (`id` or `domains`).
public struct InvalidProject: Error, CustomStringConvertible, Sendable {
    public let field: String
    public let message: String
    public var description: String { message }
}
