import Foundation

extension PostgresStore: ExecutionPages {
    public func executionIDs(_ query: ExecutionQuery) throws -> [String] {
        let (sql, args) = ExecutionQuerySQL.build(query) { "$\($0)" }
        return try withConnection { db in try db.query(sql, args).map { $0[0] ?? "" } }
    }
}
