import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// `aloft executions show` and `list`, as text and `--json`: per node its attempts, typed outputs, a
/// failure's kind, retryability and code, and no stale "running" message on a finished node (issue 20, item 5).
@Suite(.timeLimit(.minutes(5))) struct ExecutionViewCLITests {
    static let spec = """
        version: 1
        tasks:
          wait:
            type: echo
            config: {delay_ms: 3000}  # long enough for a poll to see it sleeping on a loaded machine
            inputs: {x: integer}
            outputs: {x: integer}
          flaky:
            type: echo
            config: {fail: user, fail_until_attempt: 1}
            retries: 1
            inputs: {x: integer}
            outputs: {x: integer}
          broken:
            type: echo
            config: {fail: system}
            inputs: {x: integer}
            outputs: {x: integer}
        workflows:
          good:
            inputs: {x: integer}
            outputs: {x: {type: integer, from: $f.x}}
            nodes:
              - {id: w, task: wait, inputs: {x: $inputs.x}}
              - {id: f, task: flaky, inputs: {x: $w.x}}
          bad:
            inputs: {x: integer}
            outputs: {x: {type: integer, from: $b.x}}
            nodes: [{id: b, task: broken, inputs: {x: $inputs.x}}]
        """

    @Test func showGivesAttemptsTypedOutputsAndFailuresAsTextAndJSON() throws {
        let dir = try TemporaryDirectory.make("aloft-views")
        try Self.spec.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let run = try CLI.run(["run", "spec.yaml", "--workflow", "good", "-i", "x=5"], cwd: dir)
        #expect(run.status == 0, "\(run)")
        let failed = try CLI.run(["run", "spec.yaml", "--workflow", "bad", "-i", "x=1"], cwd: dir)
        #expect(failed.status == 2, "\(failed)")

        let list = try CLI.run(["executions", "list", "--json"], cwd: dir)
        let executions = try #require(try JSONParser.parse(list.stdout).arrayValue)
        #expect(executions.count == 2)
        #expect(executions.allSatisfy { $0["nodes"] == nil })  // summaries
        let good = try #require(executions.first { $0["workflow"] == .string("good") }?["id"]?.stringValue)
        let bad = try #require(executions.first { $0["workflow"] == .string("bad") }?["id"]?.stringValue)

        let json = try JSONParser.parse(try CLI.run(["executions", "show", good, "--json"], cwd: dir).stdout)
        #expect(json["phase"] == .string("succeeded") && json["status"] == .string("succeeded"))
        #expect(json["outputs"]?["x"] == .object(["integer": .integer(5)]))
        let nodes = json["nodes"]?.arrayValue ?? []
        let w = try #require(nodes.first { $0["node"] == .string("w") })
        // The plugin said "sleeping" while it ran: kept as its last message, never as the finished node's status.
        #expect(w["status"] == nil)
        #expect(w["lastMessage"] == .string("sleeping"))
        #expect(w["attempts"] == .integer(1))
        let f = try #require(nodes.first { $0["node"] == .string("f") })
        #expect(f["attempts"] == .integer(2) && f["userFailures"] == .integer(1))
        #expect(f["failure"]?["kind"] == .string("user") && f["failure"]?["retryable"] == .bool(true))
        #expect(f["failure"]?["code"] == .string("Injected"))
        #expect(f["outputs"]?["x"] == .object(["integer": .integer(5)]))

        let text = try CLI.run(["executions", "show", bad], cwd: dir).stdout
        #expect(text.contains("execution \(bad)  failed  default/development  workflow bad"))
        #expect(text.contains("NODE  PHASE   ATTEMPTS  PLUGIN      TASK EXECUTION"), "\(text)")
        #expect(text.contains("b     failed  4         aloft.echo"), "\(text)")  // 1 attempt + 3 system retries
        #expect(text.contains("system error Injected (retryable): echo failed on purpose (attempt 3)"), "\(text)")
        let goodText = try CLI.run(["executions", "show", good], cwd: dir).stdout
        #expect(goodText.contains("node outputs:\n  f: x = 5 (integer)\n  w: x = 5 (integer)\n"), "\(goodText)")
        #expect(goodText.contains("last messages:\n  w: sleeping\n"), "\(goodText)")
        let wRow = try #require(goodText.split(separator: "\n").first { $0.hasPrefix("w ") })
        #expect(!wRow.contains("sleeping"), "\(wRow)")
    }
}
