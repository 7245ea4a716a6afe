import AloftTestSupport
import AloftWire
import Testing

@testable import PluginHost

/// The built-in echo plugin, written with the Swift kit and built by SwiftPM as its own shared library,
/// loaded and driven exactly like the C one.
@Suite(.timeLimit(.minutes(5))) struct SwiftKitPluginTests {
    func swiftEcho() async throws -> (PluginHost, any TaskPlugin) {
        let host = try await Fixtures.host(directory: Fixtures.directory(["swift-echo": "libAloftPluginEcho.so"]))
        return (host, try host.plugin(forTaskType: "echo").get())
    }

    @Test func loadsWithItsDescriptor() async throws {
        let (host, echo) = try await swiftEcho()
        defer { host.shutdown() }
        #expect(
            echo.descriptor
                == PluginDescriptor(
                    id: "aloft.echo", version: "1.0.0",
                    description: "Outputs are the inputs of the same name; optional delay and injected failures",
                    taskTypes: ["echo", "noop", "echo-sync"], syncTaskTypes: ["echo-sync"], abiMajor: 1, abiMinor: 1))
    }

    @Test func echoesConcurrentlyWithDelays() async throws {
        let (host, echo) = try await swiftEcho()
        defer { host.shutdown() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<100 {
                group.addTask {
                    let task = EchoTask.make(
                        inputs: ["v": .list([.integer(Int64(i))])], config: ["delay_ms": .integer(Int64(i % 5))],
                        node: "n\(i)")
                    let outputs = try await TaskDriver.runToCompletion(echo, task)
                    #expect(outputs == ["v": .list([.integer(Int64(i))])])
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func injectedFailuresAndBadConfigBecomeTaskErrors() async throws {
        let (host, echo) = try await swiftEcho()
        defer { host.shutdown() }
        let failing = EchoTask.make(inputs: ["x": .integer(1)], config: ["fail": .string("system")])
        do {
            _ = try await TaskDriver.runToCompletion(echo, failing)
            Issue.record("no failure")
        } catch let f as TaskDriver.Failed {
            #expect(
                f.error
                    == TaskError(
                        kind: .system, retryable: true, code: .plugin("Injected"),
                        message: "echo failed on purpose (attempt 0)"))
        }
        let bad = EchoTask.make(inputs: ["x": .integer(1)], config: ["delay_ms": .integer(-5)])
        do {
            _ = try await echo.submit(bad)
            Issue.record("negative delay accepted")
        } catch {
            #expect(
                error
                    == TaskError(
                        kind: .user, retryable: false, code: .plugin("BadConfig"),
                        message: "task config delay_ms must be >= 0, got -5"))
        }
    }

    @Test func offersNoLogsThroughTheExtensionByDefault() async throws {
        let (host, echo) = try await swiftEcho()
        defer { host.shutdown() }
        let links = try await echo.taskLogs(EchoTask.make(inputs: [:]))
        #expect(links.isEmpty)
    }
}
