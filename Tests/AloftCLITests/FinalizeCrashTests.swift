import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// Issue 18: the end of an attempt is stored before the plugin hears of it. A host SIGKILLed right after a
/// finalize returned (ALOFT_TEST_KILL_AT=attempt-finalized: the engine kills its own process there, before it
/// stores that the call was made) is resumed past the finalized task: it is neither polled, submitted nor
/// finalized again.
@Suite(.timeLimit(.minutes(5))) struct FinalizeCrashTests {
    static func journal(_ s: CrashResumeTests.Setup, _ verb: String) -> [String] {
        ((try? String(contentsOfFile: s.journal, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.hasPrefix(verb + " ") }.map { String($0.dropFirst(verb.count + 1)) }
    }

    @Test func aHostKilledRightAfterAFinalizeDoesNotFinalizeOrPollTheTaskAgain() throws {
        let s = try CrashResumeTests.setup()
        let crashed = try CLI.run(
            ["run", "chain.yaml"], cwd: s.dir, env: ["HOME": s.dir, "ALOFT_TEST_KILL_AT": "attempt-finalized"])
        #expect(
            crashed.status == 128 + SIGKILL || crashed.status == SIGKILL,
            "the host was not killed after finalize: \(crashed.status) \(crashed.stderr)")
        let store = try SQLiteMetadataStore(path: s.dir + "/.aloft/metadata.sqlite")
        let id = try #require(try store.executions(project: nil, domain: nil, limit: 1).first?.id)
        // What the crash left: node a's end, stored before its finalize, still marked as in that call.
        let a = try #require(try store.nodes(execution: id).first { $0.node == "a" })
        #expect(a.state.phase == .succeeded)
        #expect(a.state.callInFlight?.call == "finalize")
        let task = try #require(a.taskExecutionID)
        #expect(Self.journal(s, "finalize") == [task])

        let resumed = try CLI.run(["resume", id], cwd: s.dir, env: ["HOME": s.dir])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("succeeded: \(id)\n  x = 7"), "\(resumed.stdout)")
        // a was submitted and finalized once; every node ran one attempt.
        #expect(Self.journal(s, "submit").filter { $0 == task }.count == 1)
        #expect(Self.journal(s, "finalize").filter { $0 == task }.count == 1)
        let after = try store.nodes(execution: id)
        #expect(
            after.filter { ["a", "b", "c", "d"].contains($0.node) }.allSatisfy {
                $0.state.phase == .succeeded && $0.state.attempt == 0
            })
        #expect(Set(Self.journal(s, "finalize")).count == 4 && Self.journal(s, "finalize").count == 4)
    }
}
