import AloftTestSupport
import Foundation
import Testing

/// examples/bigquery as a user runs it, through the `aloft` executable, against the emulator the tests
/// start; and a spec the plugin's check refuses, through `aloft compile`.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ExampleTests {
    static let example = Fixtures.repoRoot.appendingPathComponent("examples/bigquery/sales.yaml").path

    static func directory(endpoint: String, project: String) throws -> String {
        let dir = NSTemporaryDirectory() + "aloft-bq-example-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        plugins:
          config:
            aloft.bigquery: {endpoint: "\(endpoint)", project: \(project), credentials: none, poll_seconds: 0.05}
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func theExampleRunsAgainstTheEmulatorAndShowsJobStatistics() throws {
        let emulator = try BigQueryEmulator.require()
        let dir = try Self.directory(endpoint: emulator.endpoint, project: emulator.project)
        let run = try CLI.run(["run", Self.example, "-i", "min_amount=20"], cwd: dir)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stdout.contains("grand_total = 135") && run.stdout.contains("top_region = \"west\"")
                && run.stdout.contains("top_total = 70"),
            "\(run.stdout)")
        let id = try #require(
            run.stdout.split(separator: "\n").first { $0.hasPrefix("succeeded: ") }?.dropFirst("succeeded: ".count))
        let show = try CLI.run(["executions", "show", String(id)], cwd: dir)
        #expect(show.status == 0)
        let totals = try #require(
            show.stdout.split(separator: "\n").first { $0.hasPrefix("totals ") }, "\(show.stdout)")
        #expect(totals.contains("aloft.bigquery"), "\(totals)")
        // A finished node's row shows no running message; the job's statistics are its last message.
        let messages = try #require(show.stdout.components(separatedBy: "last messages:\n").last, "\(show.stdout)")
        let message = try #require(
            messages.split(separator: "\n").first { $0.hasPrefix("  totals: ") }, "\(show.stdout)")
        #expect(message.contains("done: bytes processed 0, slot ms 0, rows 3"), "\(message)")
        // A second run replaces the table (the example is re-runnable); with the default minimum, north's 10 counts too.
        let again = try CLI.run(["run", Self.example], cwd: dir)
        #expect(again.status == 0 && again.stdout.contains("grand_total = 145"), "\(again.stdout)\(again.stderr)")
    }

    @Test func compileAndRunReportThePluginsProblemsWithFileAndLine() throws {
        let dir = try Self.directory(endpoint: "http://127.0.0.1:1", project: "p")
        try """
        tasks:
          t:
            type: bigquery
            inputs: {model: blob}
            outputs: {n: integer}
            config:
              query: SELECT 1 AS n
              write_disposition: WRITE_SOMETIMES
        workflows:
          w:
            inputs: {model: blob}
            nodes: [{id: a, task: t, inputs: {model: $inputs.model}}]
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        // `run` compiles once without plugins to learn which to load, then asks the loaded ones: the problems
        // they find are placed in the spec the same way.
        for command in [["compile", "spec.yaml"], ["run", "spec.yaml"]] {
            let r = try CLI.run(command, cwd: dir)
            #expect(r.status == 1, "\(command): \(r.stdout)\(r.stderr)")
            #expect(
                r.stderr.contains("spec.yaml:4:")
                    && r.stderr.contains("input \"model\" is a blob, which has no BigQuery query parameter type"),
                "\(command): \(r.stderr)")
            #expect(
                r.stderr.contains("spec.yaml:8:") && r.stderr.contains("unknown write disposition \"WRITE_SOMETIMES\""),
                "\(command): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/.aloft"), "a spec with errors creates no store")
        }
    }
}
