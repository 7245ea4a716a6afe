import AloftTestSupport
import Foundation
import Testing

@testable import PluginHost

/// Issue 16, deliverable 3, through the built `aloft`: a plugin that kills the host in submit does not make
/// every resume crash again; a hung poll fails its node at the budget; Ctrl-C does not wait for a hung call.
@Suite(.serialized) struct HostSurvivalTests {
    /// A directory with aloft.yaml (plugins in ./plugins, no built-ins) and a one-node workflow of `type`.
    func project(
        plugin: String, fileName: String, type: String, taskConfig: String = "{}", budget: Int? = nil
    ) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-survival-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: plugin, toPath: "\(dir)/plugins/\(fileName)")
        var config = "plugins:\n  paths: [./plugins]\n  builtin: false\n"
        if let budget { config += "  call_budget_seconds: \(budget)\n" }
        try config.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        let spec = """
            version: 1
            tasks:
              t:
                type: \(type)
                config: \(taskConfig)
                inputs:
                  x: {type: integer, default: 1}
                outputs:
                  x: integer
            workflows:
              w:
                outputs:
                  x: {type: integer, from: $a.x}
                nodes:
                  - id: a
                    task: t
            """
        try spec.write(toFile: dir + "/wf.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    static func fixture(_ variant: String) -> Result<String, any Error> {
        Result {
            let dir = try TemporaryDirectory.make("survival-fixtures")
            return try Fixtures.compile(
                Fixtures.badSource, defines: [variant], to: "\(dir)/lib\(variant.lowercased()).so")
        }
    }

    private static let builtCrashSubmit = fixture("CRASH_SUBMIT")
    private static let builtHangPoll = fixture("HANG_POLL")
    static var crashSubmit: String { get throws { try builtCrashSubmit.get() } }
    /// A poll that never returns and never looks at is_cancelled.
    static var hangPoll: String { get throws { try builtHangPoll.get() } }

    @Test(.timeLimit(.minutes(5)))
    func aCrashInSubmitEndsInAFailedNodeNotACrashLoop() throws {
        let dir = try project(plugin: Self.crashSubmit, fileName: "libcrash_submit.so", type: "fixture")
        let run = try AloftProcess.run(["run", "wf.yaml", "--store", "store"], cwd: dir)
        #expect(run.signalled && run.status == SIGSEGV, "\(run.output)")
        let id = try #require(run.executionID, "no execution id in: \(run.output)")

        // The first resume makes the call again (one death may be bad luck) and dies the same way.
        let again = try AloftProcess.run(["resume", id, "--store", "store"], cwd: dir)
        #expect(again.signalled && again.status == SIGSEGV, "\(again.output)")

        // The second fails the attempt instead, with what happened, and ends as a failed workflow.
        let last = try AloftProcess.run(["resume", id, "--store", "store"], cwd: dir)
        #expect(!last.signalled && last.status == 2, "\(last.output)")
        #expect(
            last.output.contains("plugin fixture.bad: the host died during this call (submit of attempt 0), 2 times"),
            "\(last.output)")
        let show = try AloftProcess.run(["executions", "show", id, "--store", "store"], cwd: dir)
        #expect(show.output.contains("failed"), "\(show.output)")
    }

    @Test(.timeLimit(.minutes(5)))
    func aHungPollFailsItsNodeAtTheBudget() throws {
        let dir = try project(plugin: Self.hangPoll, fileName: "libhang_poll.so", type: "fixture", budget: 1)
        let run = try AloftProcess.run(["run", "wf.yaml", "--store", "store"], cwd: dir, limit: .seconds(60))
        #expect(!run.killedAtLimit, "the run waited for the hung call: \(run.output)")
        #expect(run.status == 2, "\(run.output)")
        #expect(run.output.contains("plugin fixture.bad did not return from poll within 1.0 s"), "\(run.output)")
    }

    @Test(.timeLimit(.minutes(5)))
    func ctrlCDuringAHungPollAbortsAtOnce() throws {
        // The poll hangs for good and its budget (120 s) is past the process's limit: only Ctrl-C ends the run.
        // Ctrl-C comes at 10 s, when aloft (which probes the plugin first) is long past installing its handlers
        // even on a loaded machine.
        let dir = try project(plugin: Self.hangPoll, fileName: "libhang_poll.so", type: "fixture", budget: 120)
        let run = try AloftProcess.run(
            ["run", "wf.yaml", "--store", "store"], cwd: dir, limit: .seconds(60),
            interruptAfter: .seconds(10))
        #expect(!run.killedAtLimit, "Ctrl-C waited for the hung call: \(run.output)")
        #expect(run.status == 3, "\(run.output)")
    }
}
