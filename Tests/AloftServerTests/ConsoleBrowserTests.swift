import AloftTestSupport
import Foundation
import Testing

/// The console in a real headless browser: Browser/console_test.py drives Debian's chromium through
/// chromedriver (Selenium from the venv scripts/setup-peers.sh makes) against a real `aloft serve` with the
/// Pima example registered: log in with a token, launch Pima from the launch form, watch its page until the
/// DAG's nodes are all succeeded and the timeline has a bar per node, open the metrics node's outputs. Screenshots go to
/// .build/test-artifacts/console/. Without chromium, chromedriver or the venv the test is skipped, saying
/// why; with `CI=true` it fails instead.
@Suite(.timeLimit(.minutes(10))) struct ConsoleBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    static var python: String { SparkPeer.peersDirectory + "/selenium/bin/python" }
    static let script = Fixtures.repoRoot.appendingPathComponent("Tests/AloftServerTests/Browser/console_test.py").path
    static let artifacts = Fixtures.repoRoot.appendingPathComponent(".build/test-artifacts/console").path

    /// What is missing, or nil when the browser, its driver and Selenium are all installed.
    static var missing: String? {
        let needed = [
            (chromium, "apt-get install chromium"), (chromedriver, "apt-get install chromium-driver"),
            (python, "bash scripts/setup-peers.sh"),
        ]
        let absent = needed.filter { !FileManager.default.isExecutableFile(atPath: $0.0) }
        guard !absent.isEmpty else { return nil }
        return absent.map { "\($0.0) is not installed (\($0.1))" }.joined(separator: "; ")
    }

    static var runs: Bool { missing == nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    @Test(
        .enabled(if: runs, "needs chromium, chromium-driver and the selenium venv (scripts/setup.sh, setup-peers.sh)"))
    func logInLaunchPimaFromTheFormWatchItSucceedAndOpenANodesOutputs() throws {
        if let missing = Self.missing { throw FixtureError(missing) }
        let server = try PimaServer()
        defer { server.stop() }
        try? FileManager.default.removeItem(atPath: Self.artifacts)
        let r = try TestProcess.run(
            Self.python,
            [
                Self.script, "--url", server.url, "--token-file", server.tokenFile, "--artifacts", Self.artifacts,
                "--chromium", Self.chromium, "--chromedriver", Self.chromedriver,
            ],
            cwd: server.dir, environment: ["HOME": server.dir, "PATH": "/usr/bin:/bin"], limit: .seconds(420))
        print("console screenshots in \(Self.artifacts)")
        #expect(r.succeeded, "\(r)\nserver log:\n\(server.log.suffix(3000))")
        #expect(r.stdout.contains("outputs of metrics: metrics {\"accuracy\":"), "\(r.stdout)")
        for shot in ["01-login", "03-launch-form", "04-succeeded", "05-timeline", "06-node-outputs"] {
            #expect(FileManager.default.fileExists(atPath: "\(Self.artifacts)/\(shot).png"), "\(shot).png")
        }
        // The token's secret is in no screenshot's name, no output and no server log line.
        let secret = try String(contentsOfFile: server.tokenFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!r.output.contains(secret) && !server.log.contains(secret))
    }
}
