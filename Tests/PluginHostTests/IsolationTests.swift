import AloftTestSupport
import AloftWire
import Foundation
import Logging
import Synchronization
import Testing

@testable import PluginHost

/// Issue 16, deliverable 1: `isolation: process`. Plugins that segfault, abort, exit, allocate without bound,
/// hang, or hand back broken outputs, each in runner processes: the host survives every time, the call
/// fails (or re-attaches) as documented, other tasks finish, and a fresh runner takes the next task.
@Suite struct IsolationTests {
    static let source = Fixtures.repoRoot.appendingPathComponent("Tests/PluginHostTests/Fixtures/misbehaving_plugin.c")
        .path

    private static let built: Result<String, any Error> = Result {
        let dir = try TemporaryDirectory.make("isolation-fixtures")
        return try Fixtures.compile(source, defines: [], to: "\(dir)/libmisbehaving.so")
    }

    /// The misbehaving plugin, built once; throws when it could not be built.
    static var misbehaving: String { get throws { try built.get() } }

    /// A host with the misbehaving plugin and the Swift echo, both isolated.
    func host(
        budget: Duration = .seconds(30), runners: Int = 1, limits: RunnerLimits = RunnerLimits(),
        environment: [String: String] = [:], logger: Logger = Fixtures.quietLogger
    ) async throws -> (PluginHost, String) {
        let dir = try Fixtures.directory(["swift-echo": "libAloftPluginEcho.so"])
        try FileManager.default.copyItem(atPath: Self.misbehaving, toPath: dir + "/libmisbehaving.so")
        let host = await Fixtures.host(
            directory: dir,
            configure: {
                $0.callOptions.callBudget = budget
                $0.isolation["*"] = IsolationSettings(mode: .process, runners: runners, limits: limits)
            }, environment: environment, logger: logger)
        return (host, dir)
    }

    func plugin(_ host: PluginHost, _ type: String) throws -> any TaskPlugin {
        let plugin = try host.plugin(forTaskType: type).get()
        #expect(plugin.isIsolated)
        return plugin
    }

    static let counter = Atomic<Int>(0)

    /// A misbehave task doing `what`, with a fresh execution id.
    func task(_ what: String, polls: Int = 1) -> TaskInvocation {
        let n = Self.counter.add(1, ordering: .relaxed).newValue
        return EchoTask.make(
            inputs: [:], outputs: ["x": .integer], config: ["do": .string(what), "polls": .integer(Int64(polls))],
            execution: "iso\(n)", type: "misbehave")
    }

    func submitError(_ plugin: any TaskPlugin, _ task: TaskInvocation) async -> TaskError? {
        do {
            _ = try await plugin.submit(task)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        .timeLimit(.minutes(10)),
        arguments: [
            ("segfault", "was killed by signal 11 (SIGSEGV)"), ("abort", "was killed by signal 6 (SIGABRT)"),
            ("exit3", "exited with status 3"), ("alloc", "was killed by signal 6 (SIGABRT)"),
        ])
    func aRunnerThatDiesInSubmitFailsTheCallAndTheNextTaskRuns(what: String, how: String) async throws {
        let (host, dir) = try await host(limits: RunnerLimits(addressSpaceBytes: 2 << 30))
        defer {
            host.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let bad = try plugin(host, "misbehave")
        let echo = try plugin(host, "echo")
        for _ in 0..<3 {
            // An echo task on another plugin runs beside each crash.
            async let other = TaskDriver.runToCompletion(
                echo, EchoTask.make(inputs: ["i": .integer(5)], execution: "echo-\(UUID())"))
            let error = try #require(await submitError(bad, task(what)))
            #expect(error.code == .pluginRunnerDied)
            #expect(
                error.message
                    == "plugin fixture.misbehaving: its runner \(how) during submit (2 runners in a row ended during this call)"
            )
            #expect(try await other == ["i": .integer(5)])
            // A fresh runner serves the next task of the same plugin.
            #expect(try await TaskDriver.runToCompletion(bad, task("ok")) == ["x": .integer(7)])
        }
    }

    @Test(.timeLimit(.minutes(5)), arguments: ["hang_submit", "hang_poll"])
    func aCallPastItsBudgetKillsItsRunnerAtTheBudget(what: String) async throws {
        // The calls that must succeed (a fresh runner's included) meet 2 s on a loaded machine.
        let (host, dir) = try await host(budget: .seconds(2))
        defer {
            host.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let bad = try plugin(host, "misbehave")
        for round in 1...2 {
            // The hanging call never returns by itself: had the runner not been killed, the test's time limit
            // would end it. (A wall-clock bound here failed under CI's load at 24 s: a timing assertion.)
            var t = task(what)
            var error: TaskError?
            do {
                t.state = try await bad.submit(t)
                _ = try await bad.poll(t)
            } catch let failure {
                error = failure
            }
            #expect(error?.code == .pluginCallOverran)
            #expect(
                error?.message.hasSuffix("within 2.0 s; its runner was killed") == true, "\(String(describing: error))")
            #expect(bad.overrunCount == round)
            #expect(try await TaskDriver.runToCompletion(bad, task("ok")) == ["x": .integer(7)])
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func outputsThatAreNotALiteralMapFailThePollAndTheRunnerLives() async throws {
        let (host, dir) = try await host()
        defer {
            host.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let bad = try plugin(host, "misbehave")
        var t = task("garbage_outputs")
        t.state = try await bad.submit(t)
        do {
            _ = try await bad.poll(t)
            Issue.record("garbage outputs were accepted")
        } catch {
            #expect(error.code == .invalidOutputs)
        }
        // Outputs whose pointer is wild crash the runner that copies them, not the host.
        var w = task("wild_outputs")
        w.state = try await bad.submit(w)
        do {
            _ = try await bad.poll(w)
            Issue.record("wild outputs were read")
        } catch {
            #expect(error.code == .pluginRunnerDied)
            #expect(error.message.contains("during poll"), "\(error)")
        }
        #expect(try await TaskDriver.runToCompletion(bad, task("ok")) == ["x": .integer(7)])
    }

    @Test(.timeLimit(.minutes(5)))
    func aTaskReattachesToANewRunnerFromItsStoredState() async throws {
        let (host, dir) = try await host()
        defer {
            host.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let bad = try #require(try plugin(host, "misbehave") as? IsolatedPlugin)
        var t = task("ok", polls: 3)
        t.state = try await bad.submit(t)
        let first = try await bad.poll(t)
        #expect(first.phase == .running)
        t.state = try #require(first.newState)
        // The runner goes away between polls (killed from outside, as the OOM killer would).
        let pids = bad.runnerPIDs
        #expect(pids.count == 1)
        for pid in pids { kill(pid, SIGKILL) }
        var outcome = try await bad.poll(t)
        while outcome.phase == .running {
            t.state = outcome.newState ?? t.state
            outcome = try await bad.poll(t)
        }
        #expect(outcome.phase == .succeeded)
        #expect(outcome.outputs == ["x": .integer(7)])
        #expect(bad.runnerPIDs != pids)
        try await bad.finalize(t)
    }

    @Test(.timeLimit(.minutes(5)))
    func cancellingAHungPollAbandonsItAndAbortEndsItsRunner() async throws {
        let (host, dir) = try await host()
        defer {
            host.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let bad = try plugin(host, "misbehave")
        var t = task("hang_poll")
        t.state = try await bad.submit(t)
        let frozen = t
        let polling = Task { try await bad.poll(frozen) }
        // Time for the poll to be inside the plugin when it is cancelled, with room for a loaded machine.
        try await Task.sleep(for: .seconds(1))
        let cancelled = ContinuousClock.now
        polling.cancel()
        let result = await polling.result
        guard case .failure(let error as TaskError) = result else {
            Issue.record("the hung poll returned")
            return
        }
        #expect(error.code == .pluginCallCancelled)
        try await bad.abort(t)
        try await bad.finalize(t)
        // A hang guard: without isolation's kill the abort would wait behind the poll forever.
        #expect(ContinuousClock.now - cancelled < .seconds(60))
        #expect(try await TaskDriver.runToCompletion(bad, task("ok")) == ["x": .integer(7)])
    }

    @Test(.timeLimit(.minutes(5)))
    func secretsAndLogLinesCrossBackAndSecretsAreRedacted() async throws {
        let capture = LogCapture()
        let (host, dir) = try await host(environment: ["ALOFT_SECRET_TOKEN": "s3cr3t-value"], logger: capture.logger)
        defer {
            host.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let bad = try plugin(host, "misbehave")
        // Not declared by the task: denied, and the plugin says so.
        let denied = await submitError(bad, task("secret"))
        #expect(denied?.code == .plugin("NoToken"))
        var declared = task("secret")
        declared = TaskInvocation(
            executionID: declared.executionID, attempt: 0, context: declared.context, secrets: ["token"],
            outputTypes: declared.outputTypes)
        #expect(try await TaskDriver.runToCompletion(bad, declared) == ["x": .integer(7)])
        #expect(capture.messages.contains { $0.contains("token is [REDACTED]") }, "\(capture.messages)")
        #expect(!capture.messages.contains { $0.contains("s3cr3t-value") })
    }

    @Test(.timeLimit(.minutes(5)))
    func manyTasksOverAPoolOfRunnersAllFinish() async throws {
        let (host, dir) = try await host(runners: 3)
        defer {
            host.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let bad = try #require(try plugin(host, "misbehave") as? IsolatedPlugin)
        let results = try await withThrowingTaskGroup(of: LiteralMap.self) { group in
            for _ in 0..<60 { group.addTask { try await TaskDriver.runToCompletion(bad, task("ok", polls: 2)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 60)
        #expect(results.allSatisfy { $0 == ["x": .integer(7)] })
        #expect(bad.runnerPIDs.count == 3)
    }
}
