import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// Issue 15, defect 2: an execution belongs to the process that drives it (a lease in the store). `aloft
/// resume` of an execution a live process drives is refused, naming that process; `executions list` tells a
/// live execution from an orphaned one; once the driver is dead, resume takes over at once on this machine.
@Suite(.timeLimit(.minutes(5))) struct ExecutionOwnershipTests {
    @Test func resumeOfALiveExecutionIsRefusedAndAnOrphanIsResumed() throws {
        // The task runs 8 s: long enough for two `aloft` commands to see it live on a loaded machine.
        let (dir, journal) = try CLI.journaledTask("ownership", then: "sleep 8; echo 5 > {{output_dir}}/n")
        let p = try CLI.start(["run", "spec.yaml"], cwd: dir)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        for _ in 0..<200 where !((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").hasSuffix("\n") {
            usleep(50_000)
        }
        let store = try SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite")
        let execution = try #require(try store.executions(project: nil, domain: nil, limit: 1).first?.id)

        let refused = try CLI.run(["resume", execution], cwd: dir, env: ["HOME": dir])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(
            refused.stderr.contains("execution \(execution) is being run by aloft run (pid \(p.processIdentifier) on "),
            "\(refused.stderr)")
        let live = try CLI.run(["executions", "list"], cwd: dir, env: ["HOME": dir])
        #expect(live.stdout.contains("\(execution)  running "), "\(live.stdout)")

        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let orphaned = try CLI.run(["executions", "list"], cwd: dir, env: ["HOME": dir])
        #expect(orphaned.stdout.contains("\(execution)  orphaned (no live owner) "), "\(orphaned.stdout)")

        let resumed = try CLI.run(["resume", execution], cwd: dir, env: ["HOME": dir])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("  n = 5\n"))
        #expect(
            try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").count == 1, "the task ran twice"
        )
        #expect(try store.lease("execution/" + execution) == nil, "the lease outlived the run")
    }
}
