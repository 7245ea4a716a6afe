import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// Issue 16, deliverable 3: Ctrl-C and `executions abort` do not wait for a call stuck inside a plugin.
@Suite struct CallCancellationTests {
    @Test(.timeLimit(.minutes(5)))
    func aCancelledPollIsAbandonedAtOnceAndItsAbortRunsWhenItReturns() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so"])
        let capture = LogCapture()
        // A budget far beyond the test's patience: only cancellation can end the wait.
        let host = await Fixtures.host(
            directory: dir, configure: { $0.callOptions.callBudget = .seconds(600) }, logger: capture.logger)
        defer { host.shutdown() }
        let echo = try host.plugin(forTaskType: "echo").get()
        var stuck = EchoTask.make(inputs: ["x": .integer(1)], config: ["block_ms": .integer(120_000)], node: "stuck")
        stuck.state = try await echo.submit(stuck)
        let task = stuck
        let poll = Task { try await echo.poll(task) }
        // Time for the poll to be inside the plugin when it is cancelled, with room for a loaded machine.
        try await Task.sleep(for: .seconds(1))
        let cancelled = ContinuousClock.now
        poll.cancel()
        switch await poll.result {
        case .success:
            Issue.record("the cancelled poll returned a result")
        case .failure(let error):
            let error = try #require(error as? TaskError)
            #expect(error.code == .pluginCallCancelled)
            #expect(error.message == "cancelled while plugin example.c-echo was in poll; the call was abandoned")
        }
        // A hang guard, not a timing assertion: without cancellation the wait would be 120 s.
        #expect(ContinuousClock.now - cancelled < .seconds(60))
        #expect((echo as? LoadedPlugin)?.stuckCall(of: stuck) == "poll")
        #expect(echo.overrunCount == 0)

        // abort does not wait either; once the plugin sees is_cancelled and returns, abort runs.
        try await echo.abort(stuck)
        let deadline = ContinuousClock.now + .seconds(60)
        while (echo as? LoadedPlugin)?.stuckCall(of: stuck) != nil
            || !capture.messages.contains(where: { $0.contains("deferred abort of \(stuck.executionID) returned") }),
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect((echo as? LoadedPlugin)?.stuckCall(of: stuck) == nil)
        #expect(try await echo.poll(stuck).phase == .aborted)
    }

    @Test(.timeLimit(.minutes(5)))
    func aCallCancelledBeforeItStartsNeverRuns() async throws {
        let pool = PluginThreadPool(name: "cancel-queued", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let gate = DispatchSemaphore(value: 0)
        let inside = DispatchSemaphore(value: 0)
        // The lane is busy, so the second call waits in the queue when it is cancelled.
        async let first: Void? = try? await pool.runAbandonable(lane: "t", budget: .seconds(30), cancellable: false) {
            inside.signal()
            _ = gate.wait(timeout: .now() + 10)
        }
        // The first call holds the lane before the second is made (on a loaded machine either task may start first).
        while inside.wait(timeout: .now()) != .success { try await Task.sleep(for: .milliseconds(5)) }
        let second = Task {
            try await pool.runAbandonable(lane: "t", budget: .seconds(30), cancellable: true) { ran.append("second") }
        }
        try await Task.sleep(for: .milliseconds(100))
        second.cancel()
        await #expect(throws: CallAbandoned.self) { try await second.value }
        gate.signal()
        _ = await first
        _ = try? await pool.run(lane: "t", budget: .seconds(30)) {}
        #expect(ran.entries.isEmpty)
    }

    /// A submit's way (finishesOnceStarted): cancelled while it runs, it is waited for and returns its value;
    /// cancelled while it waits in its lane, it is never made.
    @Test(.timeLimit(.minutes(5)))
    func aCallThatFinishesOnceStartedIsWaitedForWhileItRunsAndDroppedWhileQueued() async throws {
        let pool = PluginThreadPool(name: "finish-started", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let inside = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let running = Task {
            try await pool.runAbandonable(lane: "t", budget: .seconds(30), cancellable: true, finishesOnceStarted: true)
            {
                inside.signal()
                _ = gate.wait(timeout: .now() + 30)
                return 7
            }
        }
        while inside.wait(timeout: .now()) != .success { try await Task.sleep(for: .milliseconds(5)) }
        let queued = Task {
            try await pool.runAbandonable(lane: "t", budget: .seconds(30), cancellable: true, finishesOnceStarted: true)
            {
                ran.append("queued")
                return 8
            }
        }
        running.cancel()
        queued.cancel()
        gate.signal()
        #expect(try await running.value == 7)
        await #expect(throws: CallAbandoned.self) { try await queued.value }
        _ = try? await pool.run(lane: "t", budget: .seconds(30)) {}
        #expect(ran.entries.isEmpty)
    }
}
