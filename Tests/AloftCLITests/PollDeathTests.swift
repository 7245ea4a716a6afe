import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// A host killed while a poll is in flight counts as a death in that call (issue 16) only until a poll
/// returns: two kills in polls, with a poll returning in between, are two unrelated deaths, and the healthy
/// task goes on to succeed. (Counted over the whole attempt, two worker restarts during a long task failed it:
/// a poll is made every 100 ms for a process task, so a kill from outside often lands in one.) A call that
/// kills the host every time never returns, and still fails its attempt at the second death
/// (HostSurvivalTests). ALOFT_TEST_KILL_AT=in-poll@2 SIGKILLs the host once its second poll's mark is stored.
@Suite(.timeLimit(.minutes(5))) struct PollDeathTests {
    @Test func twoKillsInPollsWithAPollReturningBetweenThemDoNotFailTheTask() throws {
        let (dir, journal, store, execution) = try runKilledInPoll("poll-deaths", sleep: 6)
        let killedInPoll = Self.killedInPoll(dir)
        #expect(try store.nodes(execution: execution).first?.state.callInFlight?.call == "poll")

        // The resumed host counts the death, polls (the poll returns: the task runs), and dies in its next poll.
        let second = try CLI.run(["resume", execution], cwd: dir, env: killedInPoll)
        #expect(second.status == 128 + SIGKILL || second.status == SIGKILL, "\(second.status) \(second.stderr)")
        #expect(second.stderr.contains("the host died during plugin aloft.container's poll of attempt 0 (1 time(s))"))

        let third = try CLI.run(["resume", execution], cwd: dir, env: ["HOME": dir])
        #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
        #expect(third.stdout.contains("  n = 7\n"), "\(third.stdout)")
        #expect(third.stderr.contains("the host died during plugin aloft.container's poll of attempt 0 (1 time(s))"))
        let starts = ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(starts.count == 1, "the command started \(starts.count) times")
    }

    /// A plugin that kills the host only now and then (its calls return in between) is still bounded: the
    /// fifth host death in the node's calls fails the attempt (CallInFlight.nodeDeathsTolerated).
    @Test func theFifthHostDeathInANodesCallsFailsItsAttempt() throws {
        let (dir, _, store, execution) = try runKilledInPoll("poll-deaths-total", sleep: 20)
        let killedInPoll = Self.killedInPoll(dir)
        for death in 1...4 {
            let resumed = try CLI.run(["resume", execution], cwd: dir, env: killedInPoll)
            #expect(
                resumed.status == 128 + SIGKILL || resumed.status == SIGKILL,
                "resume \(death): \(resumed.status) \(resumed.stderr)")
        }
        #expect(try store.nodes(execution: execution).first?.state.hostDeaths == 4)
        let last = try CLI.run(["resume", execution], cwd: dir, env: killedInPoll)
        #expect(last.status != 0, "\(last.stdout)\(last.stderr)")
        #expect(
            "\(last.stdout)\(last.stderr)".contains(
                "plugin aloft.container: the host died 5 times during this node's plugin calls (the last in poll of attempt 0)"
            ),
            "\(last.stdout)\(last.stderr)")
        #expect(try store.execution(id: execution)?.phase == .failed)
    }

    /// The environment that SIGKILLs `aloft` once its second poll's mark is stored.
    private static func killedInPoll(_ dir: String) -> [String: String] {
        ["HOME": dir, "ALOFT_TEST_KILL_AT": "in-poll@2"]
    }

    /// The journaled process task (`sleep seconds`, then n = 7) started by an `aloft run` killed in its second
    /// poll: its directory, journal, store and execution.
    private func runKilledInPoll(
        _ prefix: String, sleep seconds: Int
    ) throws -> (dir: String, journal: String, store: SQLiteMetadataStore, execution: String) {
        let (dir, journal) = try CLI.journaledTask(prefix, then: "sleep \(seconds); echo 7 > {{output_dir}}/n")
        let first = try CLI.run(["run", "spec.yaml"], cwd: dir, env: Self.killedInPoll(dir))
        #expect(first.status == 128 + SIGKILL || first.status == SIGKILL, "\(first.status) \(first.stderr)")
        let store = try SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite")
        let execution = try #require(try store.executions(project: nil, domain: nil, limit: 1).first?.id)
        return (dir, journal, store, execution)
    }
}
