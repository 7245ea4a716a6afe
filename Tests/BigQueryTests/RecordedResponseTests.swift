import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The paths bqemulator cannot take — it finishes jobs at once and never answers 409, 401, quota or rate-limit
/// errors — on recorded BigQuery answers (Fixtures/recorded/, each naming its source), served by
/// Fixtures/recorded_bigquery.py. Every test here says "OnRecordedResponses".
@Suite(.serialized, .timeLimit(.minutes(5))) struct RecordedResponseTests {
    static let spec = """
        tasks:
          t: {type: bigquery, outputs: {answer: integer}, retries: 1, config: {query: "SELECT 42 AS answer", project: rec-project, location: US}}
        workflows:
          w: {outputs: {answer: {type: integer, from: $a.answer}}, nodes: [{id: a, task: t}]}
        """
    static func fixture(_ name: String) -> [String: Any] { ["fixture": name] }
    static var oneRow: [[String: Any]] { [fixture("query-results-one-row.json")] }

    /// Anonymous (credentials: none) unless a key is given.
    static func harness(_ r: Recorded, keyJSON: String? = nil) async throws -> Harness {
        var config: [String: JSON] = ["endpoint": .string(r.endpoint)]
        if keyJSON == nil { config["credentials"] = .string("none") }
        return try await Harness.make(config: config, keyJSON: keyJSON)
    }

    @Test func pendingThenRunningThenDoneWithStatisticsOnRecordedResponses() async throws {
        let r = try Recorded.start([
            "jobs.insert": [Self.fixture("insert-running.json")],
            "jobs.get": [
                Self.fixture("get-pending.json"), Self.fixture("get-running.json"), Self.fixture("get-done.json"),
            ],
            "jobs.getQueryResults": Self.oneRow,
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(r)
        defer { h.host.shutdown() }
        let lines = StatusLines()
        let e = try await h.run(Self.spec, events: { lines.record($0) })
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(try h.node(e).outputs?["answer"] == .integer(42))
        #expect(r.routes == ["jobs.insert", "jobs.get", "jobs.get", "jobs.get", "jobs.getQueryResults"])
        #expect(
            lines.all == [
                "pending", "running: bytes processed 0, slot ms 1200",
                "done: bytes processed 2048, bytes billed 10485760, slot ms 3456, rows 1, cache hit no",
            ])
        #expect(
            try h.node(e).statusMessage
                == "done: bytes processed 2048, bytes billed 10485760, slot ms 3456, rows 1, cache hit no")
        // The insert: a deterministic id from the task execution id, in the task's project and location.
        let insert = try #require(r.calls().first)
        #expect(insert.path == "/bigquery/v2/projects/rec-project/jobs")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(insert.body.utf8)) as? [String: Any])
        let reference = body["jobReference"] as? [String: String]
        #expect(
            reference == [
                "projectId": "rec-project", "jobId": "aloft_" + (try h.node(e).taskExecutionID ?? ""), "location": "US",
            ])
        #expect(r.calls()[1].path.hasSuffix("?location=US"))
        let labels = (body["configuration"] as? [String: Any])?["labels"] as? [String: String]
        #expect(labels == ["aloft-task-execution": try h.node(e).taskExecutionID ?? ""])
    }

    @Test func a409OnInsertMeansTheJobIsOursAndItIsFetchedOnRecordedResponses() async throws {
        let r = try Recorded.start([
            "jobs.insert": [Self.fixture("error-duplicate.json")],
            "jobs.get": [Self.fixture("get-done.json")],
            "jobs.getQueryResults": Self.oneRow,
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(r)
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(r.routes == ["jobs.insert", "jobs.get", "jobs.getQueryResults"])
        #expect(try h.node(e).state.systemFailures + h.node(e).state.userFailures == 0)
    }

    @Test func a401RefreshesTheTokenOnceThenGivesUpOnRecordedResponses() async throws {
        let account = try ServiceAccount.make()
        let tokens = try account.tokenEndpoint()
        defer { tokens.process.terminate() }
        let r = try Recorded.start([
            "jobs.insert": [Self.fixture("insert-running.json")],
            "jobs.get": [Self.fixture("error-unauthorized.json"), Self.fixture("get-done.json")],
            "jobs.getQueryResults": Self.oneRow,
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(r, keyJSON: try account.keyJSON(tokenURI: tokens.uri))
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let issued = tokens.issued
        #expect(issued.count == 2)
        // The refused token was dropped; the call went again with the new one, and so did every later call.
        #expect(r.calls().map(\.route) == ["jobs.insert", "jobs.get", "jobs.get", "jobs.getQueryResults"])
        #expect(r.calls().map(\.token) == [issued[0], issued[0], issued[1], issued[1]])

        // Refused again after the refresh: a permanent credentials error, not a loop.
        try r.set(["jobs.insert": [Self.fixture("error-unauthorized.json")]])
        let h2 = try await Self.harness(r, keyJSON: try account.keyJSON(tokenURI: tokens.uri))
        defer { h2.host.shutdown() }
        let failed = try await h2.run(Self.spec)
        let error = try #require(try h2.node(failed).state.lastError)
        #expect(error.code == .plugin("Credentials") && error.kind == .user && !error.retryable)
        #expect(error.message.contains("authError: Request had invalid authentication credentials"), "\(error.message)")
        #expect(tokens.issued.count == 4)  // one for the new plugin, one refresh
        for token in tokens.issued { #expect(!error.message.contains(token)) }
    }

    @Test func quotaExceededWaitsForResourcesThenTheJobRunsOnRecordedResponses() async throws {
        let r = try Recorded.start([
            "jobs.insert": [
                Self.fixture("error-quota.json"), Self.fixture("error-quota.json"), Self.fixture("insert-running.json"),
            ],
            "jobs.get": [Self.fixture("get-done.json")],
            "jobs.getQueryResults": Self.oneRow,
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(r)
        defer { h.host.shutdown() }
        let lines = StatusLines()
        let e = try await h.run(Self.spec, events: { lines.record($0) })
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(r.routes == ["jobs.insert", "jobs.insert", "jobs.insert", "jobs.get", "jobs.getQueryResults"])
        #expect(
            lines.all.first
                == "waiting for BigQuery quota: Quota exceeded: Your project exceeded quota for concurrent queries. "
                + "For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas")
        // Every insert carried the same job id: a wait, not a new attempt.
        #expect(Set(r.calls().filter { $0.route == "jobs.insert" }.map(\.body)).count == 1)
        #expect(try h.node(e).state.systemFailures + h.node(e).state.userFailures == 0)
    }

    @Test func rateLimitsAreRetriedWithoutFailingTheTaskOnRecordedResponses() async throws {
        let r = try Recorded.start([
            "jobs.insert": [Self.fixture("error-rate-limit.json"), Self.fixture("insert-running.json")],
            "jobs.get": [Self.fixture("error-rate-limit.json"), Self.fixture("get-done.json")],
            "jobs.getQueryResults": Self.oneRow,
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(r)
        defer { h.host.shutdown() }
        let lines = StatusLines()
        let e = try await h.run(Self.spec, events: { lines.record($0) })
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(r.routes == ["jobs.insert", "jobs.insert", "jobs.get", "jobs.get", "jobs.getQueryResults"])
        #expect(lines.all.first?.hasPrefix("rate limited: Exceeded rate limits") == true, "\(lines.all)")
        #expect(try h.node(e).state.systemFailures + h.node(e).state.userFailures == 0)
    }

    @Test func backendErrorsAreRetryableSystemErrorsOnRecordedResponses() async throws {
        // A 503 on insert is sent again by the HTTP client itself; a job that ends in backendError fails the
        // attempt with a retryable system error, and the retry is a new job (a BigQuery job id is used once).
        let failedJob: [String: Any] = [
            "status": 200,
            "body": [
                "jobReference": ["projectId": "rec-project", "jobId": "$JOB_ID", "location": "US"],
                "status": [
                    "state": "DONE",
                    "errorResult": [
                        "reason": "backendError",
                        "message": "Error encountered during execution. Retrying may solve the problem.",
                    ],
                ],
            ],
        ]
        let r = try Recorded.start([
            "jobs.insert": [
                ["fixture": "error-backend.json", "headers": ["Retry-After": "0"]], Self.fixture("insert-running.json"),
            ],
            "jobs.get": [failedJob, Self.fixture("get-done.json")],
            "jobs.getQueryResults": Self.oneRow,
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(r)
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try h.node(e)
        #expect(a.state.systemFailures == 1 && a.state.userFailures == 0)
        let inserts = r.calls().filter { $0.route == "jobs.insert" }
        #expect(inserts.count == 3)
        let ids = inserts.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["jobReference"]
                as? [String: String]
        }
        .compactMap { $0["jobId"] }
        #expect(ids[0] == ids[1] && ids[1] != ids[2])
    }

    @Test func csvRowsArePagedThroughGetQueryResultsOnRecordedResponses() async throws {
        func page(_ rows: [[String]], token: String?) -> [String: Any] {
            var body: [String: Any] = [
                "jobComplete": true, "totalRows": "3",
                "schema": [
                    "fields": [
                        ["name": "region", "type": "STRING", "mode": "NULLABLE"],
                        ["name": "total", "type": "INTEGER", "mode": "NULLABLE"],
                    ]
                ],
                "rows": rows.map { ["f": $0.map { ["v": $0] }] },
            ]
            if let token { body["pageToken"] = token }
            return ["status": 200, "body": body]
        }
        let r = try Recorded.start([
            "jobs.insert": [Self.fixture("insert-running.json")],
            "jobs.get": [Self.fixture("get-done.json")],
            "jobs.getQueryResults": [
                page([["north", "35"], ["south, east", "40"]], token: "page-2"), page([["west", "70"]], token: nil),
            ],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(r)
        defer { h.host.shutdown() }
        let e = try await h.run(
            """
            tasks:
              t: {type: bigquery, outputs: {rows: dataset<csv>}, config: {query: "SELECT region, total FROM t", project: rec-project}}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let pages = r.calls().filter { $0.route == "jobs.getQueryResults" }.map(\.path)
        #expect(
            pages.count == 2 && !pages[0].contains("pageToken") && pages[1].contains("pageToken=page-2"), "\(pages)")
        guard case .dataset(let rows)? = try h.node(e).outputs?["rows"] else {
            Issue.record("no rows")
            return
        }
        let csv = try String(contentsOfFile: String(rows.uri.dropFirst("file://".count)), encoding: .utf8)
        #expect(csv == "region,total\nnorth,35\n\"south, east\",40\nwest,70\n")
    }

    @Test func abortCancelsTheJobOnRecordedResponses() async throws {
        let r = try Recorded.start([
            "jobs.insert": [Self.fixture("insert-running.json")],
            "jobs.get": [Self.fixture("get-running.json")],
            "jobs.cancel": [["status": 200, "body": ["kind": "bigquery#jobCancelResponse"]]],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(r)
        defer { h.host.shutdown() }
        let id = ExecutionID.make()
        let run = Task { try await h.run(Self.spec, id: id) }
        for _ in 0..<3000 where !r.routes.contains("jobs.get") { try await Task.sleep(for: .milliseconds(20)) }
        #expect(r.routes.contains("jobs.get"), "the job was never polled")
        try h.store.requestAbort(id: id)
        let e = try await run.value
        #expect(e.phase == .aborted)
        // An abort queued behind a poll in flight runs when the poll returns: the host waits for it at shutdown.
        h.host.shutdown()
        let cancel = try #require(r.calls().first { $0.route == "jobs.cancel" })
        #expect(
            cancel.path.hasPrefix("/bigquery/v2/projects/rec-project/jobs/aloft_")
                && cancel.path.hasSuffix("/cancel?location=US"))
    }
}
