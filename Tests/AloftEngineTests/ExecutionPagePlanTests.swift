import AloftTestSupport
import Testing

@testable import AloftEngine

/// The API's list page walks the (project, created_at, id) index in SQLite: no scan of every execution and
/// no sort of them, however many are stored.
@Suite struct ExecutionPagePlanTests {
    @Test func sqlitePageUsesTheProjectIndex() throws {
        let dir = try TemporaryDirectory("page-plan")
        defer { dir.remove() }
        let store = try SQLiteMetadataStore(path: dir.path + "/m.sqlite")
        let query = ExecutionQuery(
            projects: ["p", "q"], after: ExecutionCursor(createdAtMillis: 5, id: "e1"), limit: 50)
        let (sql, args) = ExecutionQuerySQL.build(query, columns: SQLiteMetadataStore.executionColumns) { _ in "?" }
        let plan = try store.withDatabase { db in
            try db.prepare("EXPLAIN QUERY PLAN " + sql).query(args.map { .text($0) }) { $0.text(3) ?? "" }
        }
        #expect(plan.contains { $0.contains("executions_by_project") }, "plan: \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN executions") && !$0.contains("INDEX") }, "plan: \(plan)")
    }
}
