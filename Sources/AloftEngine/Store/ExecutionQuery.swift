import FoundationEssentials

/// A page of executions, newest first, as the API lists them: within some projects, optionally one domain,
/// phase and workflow, after a cursor (the last row of the previous page).
public struct ExecutionQuery: Sendable, Equatable {
    public var projects: [String]
    public var domain: String?
    public var phase: String?
    public var workflow: String?
    /// Only executions older than this one (created earlier, or at the same millisecond with a smaller id).
    public var after: ExecutionCursor?
    public var limit: Int

    public init(
        projects: [String], domain: String? = nil, phase: String? = nil, workflow: String? = nil,
        after: ExecutionCursor? = nil, limit: Int
    ) {
        self.projects = projects
        self.domain = domain
        self.phase = phase
        self.workflow = workflow
        self.after = after
        self.limit = limit
    }
}

/// Where a page ended: the creation time (milliseconds) and id of its last execution. As text
/// `<millis>.<id>`, opaque to clients.
public struct ExecutionCursor: Sendable, Equatable {
    public var createdAtMillis: Int64
    public var id: String

    public init(createdAtMillis: Int64, id: String) {
        self.createdAtMillis = createdAtMillis
        self.id = id
    }

    public init(after e: ExecutionRecord) {
        self.init(createdAtMillis: millis(e.createdAt), id: e.id)
    }

    public init?(text: String) {
        guard let dot = text.firstIndex(of: "."), let ms = Int64(text[..<dot]) else { return nil }
        let id = String(text[text.index(after: dot)...])
        guard !id.isEmpty else { return nil }
        self.init(createdAtMillis: ms, id: id)
    }

    public var text: String { "\(createdAtMillis).\(id)" }
}

/// Paged listing of executions (both stores).
public protocol ExecutionPages: Sendable {
    /// One page of whole records, newest first, read in one query (the API's list page).
    func executionPage(_ query: ExecutionQuery) throws -> [ExecutionRecord]
}

/// The query both stores share: `columns` of the page's rows; `placeholder(n)` spells the n-th parameter
/// (1-based). Its filters and order match the (project, created_at, id) index.
enum ExecutionQuerySQL {
    static func build(
        _ q: ExecutionQuery, columns: String, placeholder: (Int) -> String
    ) -> (sql: String, args: [String]) {
        var args: [String] = []
        func next(_ value: String) -> String {
            args.append(value)
            return placeholder(args.count)
        }
        var filters = ["project IN (" + q.projects.map(next).joined(separator: ", ") + ")"]
        if q.projects.isEmpty { filters = ["1 = 0"] }
        if let d = q.domain { filters.append("domain = " + next(d)) }
        if let p = q.phase { filters.append("phase = " + next(p)) }
        if let w = q.workflow { filters.append("workflow = " + next(w)) }
        if let c = q.after {
            let ms = next(String(c.createdAtMillis))
            let ms2 = next(String(c.createdAtMillis))
            filters.append("(created_at < \(ms) OR (created_at = \(ms2) AND id < \(next(c.id))))")
        }
        let sql =
            "SELECT \(columns) FROM executions WHERE " + filters.joined(separator: " AND ")
            + " ORDER BY created_at DESC, id DESC LIMIT " + String(max(0, q.limit))
        return (sql, args)
    }
}
