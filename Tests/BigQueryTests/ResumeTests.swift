import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// SIGKILL the host after the job was inserted, `aloft resume`: the job is fetched, not inserted again. The
/// emulator silently replaces a job inserted twice (real BigQuery answers 409), so a second insert would show
/// as a new creation time; a relay in front of it (Fixtures/recorded_bigquery.py, every call passed on) holds
/// the first jobs.get long enough for the kill and counts the inserts.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ResumeTests {
    @Test func resumeFetchesTheInsertedJobInsteadOfInsertingItAgain() throws {
        let emulator = try BigQueryEmulator.require()
        let dataset = try BigQueryEmulator.dataset()
        _ = try BigQueryEmulator.rest(
            "POST", "/jobs",
            [
                "jobReference": ["projectId": emulator.project, "jobId": "setup_\(dataset)"],
                "configuration": [
                    "query": [
                        "query": "CREATE TABLE \(dataset).t AS SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3",
                        "useLegacySql": false,
                    ]
                ],
            ])
        let account = try ServiceAccount.make()
        let tokens = try account.tokenEndpoint()
        defer { tokens.process.terminate() }
        let relay = try Recorded.start(["jobs.get": [["relay": true, "delay": 60]]], upstream: emulator.endpoint)
        defer { relay.process.terminate() }

        let dir = NSTemporaryDirectory() + "aloft-bq-resume-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try account.keyJSON(tokenURI: tokens.uri).write(toFile: dir + "/key.json", atomically: true, encoding: .utf8)
        try """
        plugins:
          config:
            aloft.bigquery: {endpoint: "\(relay.endpoint)", project: \(emulator.project), poll_seconds: 0.05}
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        try """
        tasks:
          count:
            type: bigquery
            inputs: {min: integer}
            outputs: {n: integer}
            config: {query: "SELECT COUNT(*) AS n FROM \(dataset).t WHERE x >= @min"}
        workflows:
          w:
            inputs: {min: integer}
            outputs: {n: {type: integer, from: $a.n}}
            nodes: [{id: a, task: count, inputs: {min: $inputs.min}}]
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let env = ["GOOGLE_APPLICATION_CREDENTIALS": dir + "/key.json"]
        let p = try CLI.start(["run", "spec.yaml", "-i", "min=2"], cwd: dir, env: env)
        let killed = CLI.killAfterSubmit(p, dir: dir) { relay.routes.contains("jobs.get") }
        let (execution, stateBytes) = try #require(
            killed,
            "the job was never inserted: \((try? String(contentsOfFile: dir + "/aloft-stderr.log", encoding: .utf8)) ?? "")"
        )
        let state = try JSONParser.parse(stateBytes)
        let jobID = try #require(state["job_id"]?.stringValue)
        let created = try #require(
            (try BigQueryEmulator.rest("GET", "/jobs/" + jobID)["statistics"] as? [String: Any])?["creationTime"]
                as? String)

        try relay.set([:])  // every call passed on at once from now
        let resumed = try CLI.run(["resume", execution], cwd: dir, env: env)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("n = 2"), "\(resumed.stdout)")
        #expect(relay.routes.filter { $0 == "jobs.insert" }.count == 1, "\(relay.routes)")
        #expect(relay.routes.last == "jobs.getQueryResults")
        let after =
            (try BigQueryEmulator.rest("GET", "/jobs/" + jobID)["statistics"] as? [String: Any])?["creationTime"]
            as? String
        #expect(after == created)  // the same job: not inserted again
        let everything =
            resumed.stdout + resumed.stderr
            + ((try? String(contentsOfFile: dir + "/aloft-stderr.log", encoding: .utf8)) ?? "")
        for secret in account.privateKeyTraces + tokens.issued { #expect(!everything.contains(secret)) }
    }
}
