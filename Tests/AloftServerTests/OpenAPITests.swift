import AloftTestSupport
import Foundation
import Testing

/// The served OpenAPI document against the running server: schemathesis (PyPI, installed by
/// scripts/setup-peers.sh into $ALOFT_PEERS/schemathesis) generates requests from it, valid and invalid, and
/// runs every check (no 5xx, documented statuses, content types and schemas, auth enforced, invalid data
/// refused, valid data accepted, 405 for undeclared methods). Schemathesis is required: a missing
/// installation fails, saying how to get it.
@Suite(.timeLimit(.minutes(10))) struct OpenAPITests {
    static var schemathesis: String {
        get throws {
            let path = SparkPeer.peersDirectory + "/schemathesis/bin/schemathesis"
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw FixtureError("schemathesis is not installed at \(path): run `bash scripts/setup-peers.sh`")
            }
            return path
        }
    }

    @Test func schemathesisFindsNothingWrongWithTheServedDocument() throws {
        let st = try Self.schemathesis
        let s = try ServerFixture(projects: ["ml"], tokens: ["l": (["ml"], "launcher")])
        defer { s.stop() }
        // Something to find: a finished execution, so list and get have data.
        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "w", "inputs": {"x": 1}}"#, token: "l")
        _ = try s.waitForEnd(id, token: "l")
        let r = try TestProcess.run(
            st,
            [
                "run", s.url + "/api/openapi.json", "--header", "Authorization: Bearer \(s.secrets["l"]!)",
                "--checks", "all", "--max-examples", "25", "--seed", "20", "--workers", "1",
                "--request-timeout", "30", "--report", "junit", "--report-dir", s.dir + "/schemathesis",
            ],
            cwd: s.dir, environment: ["HOME": s.dir, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"],
            limit: .seconds(480))
        #expect(
            r.succeeded, "\(r.stdout.suffix(6000))\n\(r.stderr.suffix(2000))\nserver log:\n\(s.serverLog.suffix(2000))")
        #expect(r.stdout.contains("API Operations:"), "\(r.stdout.suffix(2000))")
        // The token never appears in what schemathesis printed (it filters it) nor in the server's log.
        #expect(!s.serverLog.contains(s.secrets["l"]!))
    }
}
