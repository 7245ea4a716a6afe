import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// A submit that is inside the plugin when its task is cancelled is waited for, with is_cancelled raised,
/// and returns its state, in the host's process and in a runner: abort then gets the state of what submit
/// started. Abandoned (as before), its state was dropped and abort got an empty one: a SageMaker training
/// job or a BigQuery job created by that submit was left running, which abort could not find.
@Suite(.timeLimit(.minutes(5))) struct SubmitCancellationTests {
    /// The C echo, in the host's process or in a runner, journaling its calls.
    static func echo(isolated: Bool) async throws -> (PluginHost, any TaskPlugin, journal: EchoJournal) {
        let (host, journal) = try await Fixtures.journaledEcho {
            if isolated { $0.isolation["*"] = IsolationSettings(mode: .process, runners: 1, limits: RunnerLimits()) }
        }
        return (host, try host.plugin(forTaskType: "echo").get(), journal)
    }

    @Test(arguments: [false, true])
    func aSubmitRunningWhenItsTaskIsCancelledIsWaitedForAndAbortGetsItsState(isolated: Bool) async throws {
        let (host, echo, journal) = try await Self.echo(isolated: isolated)
        defer { host.shutdown() }
        #expect(echo.isIsolated == isolated)
        // A submit that blocks 1.5 s without looking at is_cancelled, as a remote API call would.
        let task = EchoTask.make(
            inputs: ["x": .integer(1)], config: ["submit_block_ms": .integer(1500), "delay_ms": .integer(60_000)],
            node: "slow-submit", execution: "sc-\(UUID().uuidString.prefix(8))")
        let id = task.executionID
        let submitting = Task { try await echo.submit(task) }
        // Cancelled once the submit is inside the plugin (it journals on entry).
        while !journal.lines.contains("submit \(id)") { try await Task.sleep(for: .milliseconds(10)) }
        submitting.cancel()
        let state = try await submitting.value
        #expect(!state.isEmpty)
        var started = task
        started.state = state
        try await echo.abort(started)
        try await echo.finalize(started)
        #expect(
            journal.lines.filter { $0.hasPrefix("abort \(id) ") } == [
                "abort \(id) \(String(decoding: state, as: UTF8.self))"
            ]
        )
        #expect(journal.lines.filter { $0.hasPrefix("finalize ") } == ["finalize \(id)"])
    }

    @Test(arguments: [false, true])
    func aSubmitOfATaskAlreadyCancelledIsNotMade(isolated: Bool) async throws {
        let (host, echo, journal) = try await Self.echo(isolated: isolated)
        defer { host.shutdown() }
        let task = EchoTask.make(
            inputs: ["x": .integer(1)], node: "never", execution: "sc-\(UUID().uuidString.prefix(8))")
        let submitting = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await echo.submit(task)
        }
        await #expect(throws: TaskError.self) { try await submitting.value }
        #expect(journal.lines.isEmpty)
    }
}
