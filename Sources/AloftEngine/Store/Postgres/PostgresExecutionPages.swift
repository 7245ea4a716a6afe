import FoundationEssentials

extension PostgresStore: ExecutionPages {
    public func executionPage(_ query: ExecutionQuery) throws -> [ExecutionRecord] {
        let (sql, args) = ExecutionQuerySQL.build(query, columns: Self.executionColumns) { "$\($0)" }
        return try withConnection { db in try db.query(sql, args).map(Self.executionRow) }
    }
}
