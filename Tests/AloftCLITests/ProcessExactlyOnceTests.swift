import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// Issue 15, defect 1: a host killed between starting a process task and recording its pid must not make
/// `aloft resume` run the attempt's command a second time. The kill is injected at that exact point
/// (ALOFT_TEST_KILL_AT=process-spawned: the plugin SIGKILLs its own host right after the spawn).
@Suite(.timeLimit(.minutes(5))) struct ProcessExactlyOnceTests {
    @Test func aHostKilledRightAfterTheSpawnNeverRunsTheCommandTwice() throws {
        let (dir, journal) = try CLI.journaledTask("exactly-once", then: "sleep 1; echo 7 > {{output_dir}}/n")
        let crashed = try CLI.run(
            ["run", "spec.yaml"], cwd: dir, env: ["HOME": dir, "ALOFT_TEST_KILL_AT": "process-spawned"])
        #expect(
            crashed.status == 128 + SIGKILL || crashed.status == SIGKILL,
            "the host was not killed at the spawn: \(crashed.status) \(crashed.stderr)")
        let store = try SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite")
        let execution = try #require(try store.executions(project: nil, domain: nil, limit: 1).first?.id)
        // Whatever the orphaned process would do, it has had time to do it.
        usleep(1_500_000)
        let resumed = try CLI.run(["resume", execution], cwd: dir, env: ["HOME": dir])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("  n = 7\n"), "\(resumed.stdout)")
        usleep(1_500_000)
        let starts = ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(starts.count == 1, "the command started \(starts.count) times")
    }
}
