import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// SIGKILL `aloft scheduler` while the execution of a fire runs, then start it again at the same instant:
/// the execution is resumed (no node submitted twice), never launched a second time.
@Suite(.timeLimit(.minutes(5))) struct SchedulerCrashTests {
    @Test func aSchedulerKilledDuringARunResumesItInsteadOfLaunchingAgain() throws {
        let s = try CrashResumeTests.setup()
        try
            (String(contentsOfFile: s.dir + "/chain.yaml", encoding: .utf8) + """

                launch_plans:
                  hourly: {workflow: chain, schedule: "@hourly"}
                """).write(toFile: s.dir + "/chain.yaml", atomically: true, encoding: .utf8)
        let reg = try CLI.run(["register", "chain.yaml", "--version", "v1"], cwd: s.dir, env: ["HOME": s.dir])
        #expect(reg.status == 0, "\(reg.stderr)")
        let stamp = ISO8601DateFormatter().string(from: Date().addingTimeInterval(2 * 3600))

        let first = try CLI.start(["scheduler", "--once", "--now", stamp], cwd: s.dir)
        let id = try #require(
            CLI.killAfterSubmit(first, dir: s.dir, node: "b"), "the scheduled run never reached node b")
        #expect(id.hasPrefix("sx-"))

        let second = try CLI.run(["scheduler", "--once", "--now", stamp], cwd: s.dir, env: ["HOME": s.dir])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("resuming \(id)"), "\(second.stdout)")
        #expect(second.stdout.contains("succeeded: \(id)"))
        #expect(!second.stdout.contains("launching"))
        // Each node submitted once across both schedulers; one execution for the fire.
        let submits = CrashResumeTests.journal(s)
        for node in ["a", "b", "c", "d"] {
            #expect(submits.filter { $0.hasPrefix("\(id)-\(node)-") }.count == 1, "\(node): \(submits)")
        }
        let store = try SQLiteMetadataStore(path: s.dir + "/.aloft/metadata.sqlite")
        #expect(try store.executions(project: nil, domain: nil, limit: 10).map(\.id) == [id])
        #expect(try store.execution(id: id)?.phase == .succeeded)
    }
}
