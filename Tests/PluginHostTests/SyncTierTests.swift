import AloftTestSupport
import AloftWire
import Testing

@testable import PluginHost

/// The synchronous tier (ABI 1.1): a task type completed in one run_sync call, in process and isolated; and
/// a plugin built against ABI 1.0, whose descriptor ends before the 1.1 fields, on this 1.1 host.
@Suite(.timeLimit(.minutes(5))) struct SyncTierTests {
    func swiftEcho(
        budget: Duration? = nil, isolated: Bool = false
    ) async throws -> (PluginHost, any TaskPlugin) {
        let host = try await Fixtures.host(directory: Fixtures.directory(["swift-echo": "libAloftPluginEcho.so"])) {
            if let budget { $0.callOptions.callBudget = budget }
            if isolated { $0.isolation["*"] = IsolationSettings(mode: .process) }
        }
        return (host, try host.plugin(forTaskType: "echo-sync").get())
    }

    @Test func aPluginBuiltAgainstABI10LoadsWithNoSyncTypesAndRunsThroughSubmitAndPoll() async throws {
        let host = try await Fixtures.host(directory: Fixtures.directory(["ABI_1_0": "libv10.so"]))
        defer { host.shutdown() }
        let plugin = try host.plugin(forTaskType: "fixture").get()
        // Junk lies past its struct_size where 1.1 puts sync_task_types and run_sync: never read.
        #expect(plugin.descriptor.abi == "1.0")
        #expect(plugin.descriptor.syncTaskTypes.isEmpty)
        #expect(!plugin.descriptor.isSynchronous("fixture"))
        let outputs = try await TaskDriver.runToCompletion(plugin, EchoTask.make(inputs: [:], type: "fixture"))
        #expect(outputs == [:])
    }

    @Test func theSwiftEchoDeclaresEchoSyncAndAnswersInOneCall() async throws {
        let (host, echo) = try await swiftEcho()
        defer { host.shutdown() }
        #expect(echo.descriptor.abi == "1.1")
        #expect(echo.descriptor.syncTaskTypes == ["echo-sync"])
        #expect(!echo.descriptor.isSynchronous("echo"))
        let outputs = try await echo.runSync(EchoTask.make(inputs: ["x": .integer(7)], type: "echo-sync"))
        #expect(outputs == ["x": .integer(7)])
    }

    @Test func aFailingSyncCallReportsThePluginsError() async throws {
        let (host, echo) = try await swiftEcho()
        defer { host.shutdown() }
        let task = EchoTask.make(inputs: ["x": .integer(1)], config: ["fail": .string("user")], type: "echo-sync")
        await #expect(
            throws: TaskError(
                kind: .user, retryable: true, code: .plugin("Injected"), message: "echo failed on purpose (attempt 0)")
        ) { try await echo.runSync(task) }
    }

    @Test func aSyncCallThatOverrunsItsBudgetFailsAtTheBudgetAndIsAbandoned() async throws {
        let (host, echo) = try await swiftEcho(budget: .milliseconds(300))
        defer { host.shutdown() }
        // The plugin sleeps 10 minutes: a call that waited for it would run into the suite's time limit.
        let task = EchoTask.make(inputs: ["x": .integer(1)], config: ["delay_ms": .integer(600_000)], type: "echo-sync")
        do {
            _ = try await echo.runSync(task)
            Issue.record("no overrun")
        } catch {
            #expect(error.code == .pluginCallOverran)
            #expect(error.kind == .system && !error.retryable)
        }
        #expect(echo.overrunCount == 1)
    }

    @Test func anIsolatedPluginServesSyncCallsInItsRunner() async throws {
        let (host, echo) = try await swiftEcho(isolated: true)
        defer { host.shutdown() }
        #expect(echo.isIsolated)
        #expect(echo.descriptor.syncTaskTypes == ["echo-sync"])
        let outputs = try await echo.runSync(EchoTask.make(inputs: ["s": .string("hi")], type: "echo-sync"))
        #expect(outputs == ["s": .string("hi")])
        let failing = EchoTask.make(
            inputs: ["x": .integer(1)], config: ["fail": .string("system")], node: "f", type: "echo-sync")
        await #expect(throws: TaskError.self) { try await echo.runSync(failing) }
    }

    @Test func anIsolatedSyncCallThatOverrunsKillsItsRunner() async throws {
        // A budget that a fresh runner's first call meets on a loaded machine; the plugin sleeps past it.
        let (host, echo) = try await swiftEcho(budget: .seconds(3), isolated: true)
        defer { host.shutdown() }
        let task = EchoTask.make(inputs: ["x": .integer(1)], config: ["delay_ms": .integer(60_000)], type: "echo-sync")
        do {
            _ = try await echo.runSync(task)
            Issue.record("no overrun")
        } catch {
            #expect(error.code == .pluginCallOverran)
            #expect(error.message.contains("its runner was killed"))
        }
        // A new runner serves the next call.
        let outputs = try await echo.runSync(EchoTask.make(inputs: ["x": .integer(2)], node: "m", type: "echo-sync"))
        #expect(outputs == ["x": .integer(2)])
    }
}
