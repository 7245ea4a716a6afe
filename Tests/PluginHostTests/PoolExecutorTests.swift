import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// A task that prefers a plugin's threads (`withTaskExecutorPreference(plugin.taskExecutor)`, as the engine's
/// chains do) runs on those host-owned threads, never on Swift's cooperative pool, and its calls still stop
/// at their budget.
@Suite(.timeLimit(.minutes(2))) struct PoolExecutorTests {
    func swiftEcho(budget: Duration? = nil) async throws -> (PluginHost, any TaskPlugin) {
        let host = try await Fixtures.host(directory: Fixtures.directory(["swift-echo": "libAloftPluginEcho.so"])) {
            if let budget { $0.callOptions.callBudget = budget }
        }
        return (host, try host.plugin(forTaskType: "echo-sync").get())
    }

    /// The OS name of the calling thread.
    static func threadName() -> String {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    @Test func aTaskPreferringThePluginsThreadsCallsItFromThem() async throws {
        let (host, echo) = try await swiftEcho()
        defer { host.shutdown() }
        let executor = try #require(echo.taskExecutor)
        let names = try await withTaskExecutorPreference(executor) { () async throws -> [String] in
            var names: [String] = []
            for i in 0..<20 {
                names.append(Self.threadName())
                let task = EchoTask.make(inputs: ["x": .integer(Int64(i))], type: "echo-sync")
                let outputs = try await echo.runSync(task)
                #expect(outputs == ["x": .integer(Int64(i))])
                names.append(Self.threadName())
            }
            return names
        }
        #expect(names.allSatisfy { $0.hasPrefix("ap-") }, "\(names)")
    }

    @Test func anOverrunFromThePluginsOwnThreadFailsAtTheBudget() async throws {
        let (host, echo) = try await swiftEcho(budget: .milliseconds(300))
        defer { host.shutdown() }
        let executor = try #require(echo.taskExecutor)
        let started = ContinuousClock.now
        let after = await withTaskExecutorPreference(executor) { () async -> String in
            let task = EchoTask.make(
                inputs: ["x": .integer(1)], config: ["delay_ms": .integer(3000)], type: "echo-sync")
            do {
                _ = try await echo.runSync(task)
                Issue.record("no overrun")
            } catch let error as TaskError {
                #expect(error.code == .pluginCallOverran)
            } catch {
                Issue.record("\(error)")
            }
            return Self.threadName()
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(echo.overrunCount == 1)
        // Resumed at the budget on another of the plugin's threads, the stuck one still in the call.
        #expect(after.hasPrefix("ap-"), "\(after)")
    }
}
