import AloftTestSupport
import AloftWire
import Foundation
import Synchronization
import Testing

@testable import PluginHost

/// Submit / poll / abort / finalize through the C echo plugin, many tasks at once.
@Suite(.timeLimit(.minutes(5))) struct PluginCallTests {
    func cEcho(configure: (inout HostConfiguration) -> Void = { _ in }) async throws -> (PluginHost, any TaskPlugin) {
        let host = try await Fixtures.host(
            directory: Fixtures.directory(["c-echo": "libc_echo.so"]), configure: configure)
        return (host, try host.plugin(forTaskType: "echo").get())
    }

    @Test func echoesEveryLiteralKind() async throws {
        let (host, echo) = try await cEcho()
        defer { host.shutdown() }
        let inputs: LiteralMap = [
            "i": .integer(-7), "f": .float(2.5), "s": .string("tab\there \"quoted\" é"), "b": .boolean(true),
            "l": .list([.integer(1), .integer(2)]), "m": .map(["k": .string("v")]),
            "st": .structure(["a": .array([.null])]),
            "blob": .blob(BlobValue(uri: "file:///x.csv", type: BlobType(format: "csv"))),
            "d": .datetime(Timestamp(seconds: 0)), "du": .duration(.seconds(3)), "bin": .binary([1, 2, 3]),
            "e": .enumeration("a"),
        ]
        let types: TypeMap = [
            "i": .integer, "f": .float, "s": .string, "b": .boolean, "l": .list(.integer), "m": .map(.string),
            "st": .structure,
            "blob": .blob(BlobType(format: "csv")), "d": .datetime, "du": .duration, "bin": .binary,
            "e": .enumeration(["a", "b"]),
        ]
        let outputs = try await TaskDriver.runToCompletion(echo, EchoTask.make(inputs: inputs, outputs: types))
        #expect(outputs == inputs)
    }

    @Test func manyTasksFromManyThreadsAtOnce() async throws {
        let (host, echo) = try await cEcho { $0.callOptions.threads = 4 }
        defer { host.shutdown() }
        let results = try await withThrowingTaskGroup(of: (Int, LiteralMap).self) { group in
            for i in 0..<400 {
                group.addTask {
                    let task = EchoTask.make(
                        inputs: ["x": .integer(Int64(i)), "tag": .string("t\(i)")],
                        config: ["delay_ms": .integer(Int64(i % 7))],
                        node: "node-\(i)")
                    return (i, try await TaskDriver.runToCompletion(echo, task))
                }
            }
            var all: [Int: LiteralMap] = [:]
            for try await (i, outputs) in group { all[i] = outputs }
            return all
        }
        #expect(results.count == 400)
        for (i, outputs) in results { #expect(outputs == ["x": .integer(Int64(i)), "tag": .string("t\(i)")]) }
    }

    @Test func pollReportsRunningWithTheDelayAsHintThenSucceeds() async throws {
        let (host, echo) = try await cEcho()
        defer { host.shutdown() }
        // A delay long enough that the first poll certainly comes before it ends, however loaded the machine
        // (1.5 s was not: CI, with Spark and Hive JVMs beside it, took longer between submit and poll).
        var task = EchoTask.make(inputs: ["x": .integer(1)], config: ["delay_ms": .integer(8000)])
        task.state = try await echo.submit(task)
        let first = try await echo.poll(task)
        #expect(first.phase == .running)
        #expect(first.statusMessage == "sleeping")
        let hint = try #require(first.pollAfter)
        #expect(hint > .zero && hint <= .milliseconds(8000))  // the time left, never more than the delay
        // Honouring the hints, the task succeeds.
        let outputs = try await TaskDriver.pollUntilDone(echo, &task, maxPolls: 100)
        #expect(outputs == ["x": .integer(1)])
        try await echo.finalize(task)
    }

    /// A host that restarts keeps only the persisted state; polling with it re-attaches to the same task.
    @Test func reattachesFromPersistedStateInAnotherHost() async throws {
        let (first, echo1) = try await cEcho()
        var task = EchoTask.make(inputs: ["x": .integer(9)], config: ["delay_ms": .integer(300)])
        let persisted = try await echo1.submit(task)
        first.shutdown()

        let (second, echo2) = try await cEcho()
        defer { second.shutdown() }
        task.state = persisted
        let outputs = try await TaskDriver.pollUntilDone(echo2, &task, maxPolls: 1000)
        #expect(outputs == ["x": .integer(9)])
    }

    @Test func wakeUpArrivesThroughRequestPoll() async throws {
        let (host, echo) = try await cEcho()
        defer { host.shutdown() }
        let task = EchoTask.make(inputs: ["x": .integer(1)], config: ["delay_ms": .integer(150), "wake": .bool(true)])
        let woken = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let once = Atomic<Bool>(false)
            host.services.signals.onWakeup { id in
                if !once.exchange(true, ordering: .relaxed) { continuation.resume(returning: id) }
            }
            Task { _ = try await echo.submit(task) }
        }
        #expect(woken == task.executionID)
    }

    @Test func abortIsIdempotentAndThePollSeesAborted() async throws {
        let (host, echo) = try await cEcho()
        defer { host.shutdown() }
        var task = EchoTask.make(inputs: ["x": .integer(1)], config: ["delay_ms": .integer(60_000)])
        task.state = try await echo.submit(task)
        try await echo.abort(task)
        try await echo.abort(task)
        #expect(host.services.signals.isCancelled(task.executionID))
        #expect(try await echo.poll(task).phase == .aborted)
        try await echo.finalize(task)
        #expect(!host.services.signals.isCancelled(task.executionID))
    }

    @Test func failuresCarryKindAndRetryability() async throws {
        let (host, echo) = try await cEcho()
        defer { host.shutdown() }
        for (kind, expected) in [("user", TaskError.Kind.user), ("system", .system)] {
            let task = EchoTask.make(
                inputs: ["x": .integer(1)], config: ["fail": .string(kind), "fail_until_attempt": .integer(1)])
            await #expect(throws: TaskDriver.Failed.self) { try await TaskDriver.runToCompletion(echo, task) }
            do { _ = try await TaskDriver.runToCompletion(echo, task) } catch let f as TaskDriver.Failed {
                #expect(
                    f.error
                        == TaskError(
                            kind: expected, retryable: true, code: .plugin("Injected"),
                            message: "echo failed on purpose"))
            }
            // The next attempt succeeds.
            let retry = EchoTask.make(
                inputs: ["x": .integer(1)], config: ["fail": .string(kind), "fail_until_attempt": .integer(1)],
                attempt: 1)
            #expect(try await TaskDriver.runToCompletion(echo, retry) == ["x": .integer(1)])
        }
    }

    @Test func outputsAreCheckedAgainstTheInterface() async throws {
        let (host, echo) = try await cEcho()
        defer { host.shutdown() }
        let wrongType = EchoTask.make(inputs: ["x": .integer(1)], outputs: ["x": .string])
        do {
            _ = try await TaskDriver.runToCompletion(echo, wrongType)
            Issue.record("mistyped output accepted")
        } catch {
            #expect(
                (error as? TaskError)
                    == TaskError(
                        kind: .user, retryable: false, code: .outputMismatch,
                        message: "outputs do not match the task's interface: x: expected string, got integer"))
        }
        let missing = EchoTask.make(inputs: ["x": .integer(1)], outputs: ["y": .integer])
        do {
            _ = try await TaskDriver.runToCompletion(echo, missing)
            Issue.record("missing output accepted")
        } catch let f as TaskDriver.Failed {
            #expect(f.error.message == "echo: output \"y\" has no input of the same name")
            #expect(f.error.kind == .user)
        }
    }
}
