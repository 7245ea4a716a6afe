import AloftGoogle
import PluginKit

/// Table inputs: a `dataset` / `dataset<bigquery>` input names a table (`bq://project.dataset.table`, as an
/// upstream query task outputs it) and the query refers to it as `{{inputs.NAME}}`. BigQuery has no table
/// parameters, so the reference goes into the SQL text — only as a backquoted identifier checked to be one,
/// never a value; every other input is a named query parameter (`@NAME`).
enum TableInputs {
    static func isTable(_ type: LiteralType) -> Bool {
        if case .dataset(let d) = type { return d.format.isEmpty || d.format == "bigquery" }
        return false
    }

    /// The names the query refers to as `{{inputs.NAME}}` (spaces inside the braces allowed).
    static func references(in query: String) -> [(name: String, range: Range<String.Index>)] {
        var out: [(String, Range<String.Index>)] = []
        var rest = query[...]
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            let inner = rest[open.upperBound..<close.lowerBound].filter { $0 != " " }
            if inner.hasPrefix("inputs.") {
                out.append((String(inner.dropFirst("inputs.".count)), open.lowerBound..<close.upperBound))
            }
            rest = rest[close.upperBound...]
        }
        return out
    }

    /// Problems with the query's references: each must name a table input.
    static func problems(query: String, inputs: TypeMap) -> [TaskProblem] {
        references(in: query).compactMap { ref in
            guard let type = inputs[ref.name] else {
                return TaskProblem(
                    at: ["config", "query"],
                    "the query refers to {{inputs.\(ref.name)}}, but the task has no input \"\(ref.name)\"")
            }
            guard isTable(type) else {
                return TaskProblem(
                    at: ["config", "query"],
                    "{{inputs.\(ref.name)}} is a \(type), not a table: refer to it as @\(ref.name) "
                        + "(inputs are query parameters; only dataset<bigquery> inputs go into the SQL, as table names)"
                )
            }
            return nil
        }
    }

    /// The query with every `{{inputs.NAME}}` replaced by the table's `project.dataset.table` in backquotes.
    static func substitute(_ query: String, inputs: LiteralMap) throws(PluginError) -> String {
        var out = ""
        var from = query.startIndex
        for ref in references(in: query) {
            guard case .dataset(let d)? = inputs[ref.name] else {
                throw .user("input \"\(ref.name)\" has no table to put in the query", code: "BadParameter")
            }
            guard let table = tableName(d.uri) else {
                throw .user(
                    "input \"\(ref.name)\" is \(d.uri); a table input must be bq://project.dataset.table",
                    code: "BadParameter")
            }
            out += query[from..<ref.range.lowerBound] + "`" + table + "`"
            from = ref.range.upperBound
        }
        return out + query[from...]
    }

    /// `project.dataset.table` from `bq://project.dataset.table`, when each part is a plain identifier.
    static func tableName(_ uri: String) -> String? {
        guard uri.hasPrefix("bq://") else { return nil }
        let parts = uri.dropFirst(5).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(isIdentifier) }) else {
            return nil
        }
        return parts.joined(separator: ".")
    }

    private static func isIdentifier(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_" || s == "-" || s == ":"
    }
}
