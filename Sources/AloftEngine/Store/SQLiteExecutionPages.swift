import FoundationEssentials

extension SQLiteMetadataStore: ExecutionPages {
    public func executionPage(_ query: ExecutionQuery) throws -> [ExecutionRecord] {
        let (sql, args) = ExecutionQuerySQL.build(query, columns: Self.executionColumns) { _ in "?" }
        // created_at is an integer column: its bounds are bound as integers, so they compare as numbers.
        let values: [SQLiteDatabase.Statement.Value] = args.enumerated().map { i, a in
            Self.isCursorTime(i, query) ? .integer(Int64(a) ?? 0) : .text(a)
        }
        return try withDatabase { db in try db.prepare(sql).query(values) { Self.executionRow($0) } }
    }

    /// Whether parameter `i` is one of the cursor's two times (they follow the filters' values).
    private static func isCursorTime(_ i: Int, _ q: ExecutionQuery) -> Bool {
        guard q.after != nil else { return false }
        let before = q.projects.count + [q.domain, q.phase, q.workflow].compactMap { $0 }.count
        return i == before || i == before + 1
    }
}
