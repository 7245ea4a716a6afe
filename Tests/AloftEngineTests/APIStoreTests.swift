import AloftEngine
import AloftWire
import Foundation
import Testing

/// What `aloft serve` keeps in the metadata store, on every store: API tokens (hashes only) and pages of
/// executions (filters and a cursor).
@Suite(.timeLimit(.minutes(5))) struct APIStoreTests {
    @Test(arguments: StoreKind.all) func tokensAreStoredHashedAndRevoked(kind: StoreKind) throws {
        let store = try kind.store("tokens")
        let (record, secret) = APITokens.make(projects: ["a", "b"], role: .launcher)
        try store.createToken(record)
        #expect(secret.hasPrefix("aloft_") && secret.count == 6 + 64)
        #expect(record.secretHash == APITokens.hash(secret) && record.secretHash != secret)
        let found = try #require(try store.token(secretHash: APITokens.hash(secret)))
        #expect(found.id == record.id && found.projects == ["a", "b"] && found.role == .launcher && !found.revoked)
        #expect(try store.token(secretHash: APITokens.hash(secret + "x")) == nil)
        #expect(try store.tokens().map(\.id) == [record.id])
        #expect(try store.revokeToken(id: record.id))
        #expect(try store.token(secretHash: record.secretHash)?.revoked == true)
        #expect(try !store.revokeToken(id: "tok-none"))
    }

    @Test(arguments: StoreKind.all) func executionPagesFilterAndContinueAfterACursor(kind: StoreKind) throws {
        let store = try kind.store("pages")
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<7 {
            // Two share each creation time: the cursor orders them by id.
            try store.createExecution(
                ExecutionRecord(
                    id: "e\(i)", project: i == 6 ? "other" : "p", domain: i == 5 ? "production" : "development",
                    workflow: i % 2 == 0 ? "even" : "odd", spec: [], inputs: [:],
                    createdAt: base.addingTimeInterval(Double(i / 2))))
        }
        func ids(_ q: ExecutionQuery) throws -> [String] { try store.executionPage(q).map(\.id) }
        var seen: [ExecutionRecord] = []
        var query = ExecutionQuery(projects: ["p"], limit: 2)
        while true {
            let page = try store.executionPage(query)
            seen += page
            guard page.count == 2, let last = page.last else { break }
            query.after = ExecutionCursor(after: last)
        }
        #expect(seen.map(\.id) == ["e5", "e4", "e3", "e2", "e1", "e0"])
        // The page's rows are whole records, equal to what reading each one alone gives.
        for e in seen { #expect(try store.execution(id: e.id) == e) }
        #expect(try ids(ExecutionQuery(projects: ["p", "other"], limit: 10)).count == 7)
        #expect(try ids(ExecutionQuery(projects: [], limit: 10)).isEmpty)
        #expect(
            try ids(ExecutionQuery(projects: ["p"], workflow: "odd", limit: 10)) == ["e5", "e3", "e1"])
        #expect(try ids(ExecutionQuery(projects: ["p"], domain: "production", limit: 10)) == ["e5"])
        try store.finishExecution(id: "e1", phase: .failed, outputs: nil, error: "x")
        #expect(try ids(ExecutionQuery(projects: ["p"], phase: "failed", limit: 10)) == ["e1"])
        #expect(ExecutionCursor(text: ExecutionCursor(createdAtMillis: 5, id: "ex-1.2").text)?.id == "ex-1.2")
        #expect(ExecutionCursor(text: "x.y") == nil && ExecutionCursor(text: "5.") == nil)
    }

    /// `aloft serve --workers` queues a recovery with the nodes it reuses: one transaction, all or nothing.
    @Test(arguments: StoreKind.all) func anEnqueueStoresItsFirstNodesWithIt(kind: StoreKind) throws {
        let store = try kind.store("enqueue-nodes")
        let e = ExecutionRecord(id: "r", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:])
        let a = NodeRecord(execution: "r", node: "a", state: NodeState(budget: RetryBudget(user: 0)))
        try store.enqueue(e, nodes: [a])
        #expect(try store.execution(id: "r")?.phase == .queued)
        #expect(try store.nodes(execution: "r").map(\.node) == ["a"])
        // A node of another execution refuses the whole enqueue: no queued execution is left without its nodes.
        let stray = NodeRecord(execution: "missing", node: "b", state: NodeState(budget: RetryBudget(user: 0)))
        var second = e
        second.id = "s"
        #expect(throws: (any Error).self) { try store.enqueue(second, nodes: [stray]) }
        #expect(try store.execution(id: "s") == nil)
    }
}

/// Views' times: RFC 3339 in UTC to the millisecond, as ISO8601DateFormatter writes them.
@Suite struct ViewTimeTests {
    @Test(arguments: [0, 1_800_000_000.123, 1_764_620_000.999, -1.5, 951_782_400.5, 253_402_300_799.999])
    func matchesFoundationsFormatter(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(ViewTime.text(date) == f.string(from: date))
    }
}
