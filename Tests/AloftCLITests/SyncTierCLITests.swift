import AloftTestSupport
import Foundation
import Testing

/// `aloft run` with a synchronous task type (ABI 1.1): the built-in Swift echo's "echo-sync", a chain whose
/// middle node fails once with a retryable error and succeeds on its next attempt.
@Suite(.timeLimit(.minutes(5))) struct SyncTierCLITests {
    @Test func aloftRunRunsAChainOfSyncTasksWithARetry() throws {
        let dir = try TemporaryDirectory.make("sync-cli")
        try """
        tasks:
          t: {type: echo-sync, inputs: {x: integer}, outputs: {x: integer}}
          flaky: {type: echo-sync, retries: 1, inputs: {x: integer}, outputs: {x: integer}, config: {fail: user, fail_until_attempt: 1}}
        workflows:
          w:
            outputs: {x: {type: integer, from: $c.x}}
            nodes:
              - {id: a, task: t, inputs: {x: 42}}
              - {id: b, task: flaky, inputs: {x: $a.x}}
              - {id: c, task: t, inputs: {x: $b.x}}
        """.write(toFile: dir + "/sync.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "sync.yaml"], cwd: dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("x = 42"))
        #expect(r.stdout.contains("succeeded  c"))
    }
}
