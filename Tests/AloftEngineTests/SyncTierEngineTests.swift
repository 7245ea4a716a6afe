import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The engine with a synchronous task type (ABI 1.1, the Swift echo's "echo-sync"): one call per attempt,
/// its result stored; failures are failed attempts within the retry budgets.
@Suite(.timeLimit(.minutes(5))) struct SyncTierEngineTests {
    struct Harness {
        let host: PluginHost
        let engine: ExecutionEngine
        let store: SQLiteMetadataStore

        func run(_ yaml: String, events: EngineTests.Events = .init()) async throws -> ExecutionRecord {
            let result = Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/virtual/spec.yaml")
            let spec = try #require(result.spec, "\(result.diagnostics)")
            return try await engine.run(
                spec, workflow: "w", inputs: [:], project: "p", domain: "development", events: events.add)
        }

        func node(_ e: ExecutionRecord, _ path: String) throws -> NodeRecord? {
            try store.nodes(execution: e.id).first { $0.node == path }
        }
    }

    static func harness() async throws -> Harness {
        let host = try await Fixtures.host(directory: Fixtures.directory(["swift-echo": "libAloftPluginEcho.so"]))
        let root = NSTemporaryDirectory() + "aloft-sync-\(UUID())"
        let store = try SQLiteMetadataStore(path: root + "/metadata.sqlite")
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: root + "/blobs"),
            options: EngineOptions(parallelism: 8, minPollInterval: .milliseconds(1)))
        return Harness(host: host, engine: engine, store: store)
    }

    @Test func aChainOfSyncTasksRunsWithOneCallPerNodeAndStoresItsResults() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(
            """
            tasks:
              t: {type: echo-sync, inputs: {x: integer}, outputs: {x: integer}}
            workflows:
              w:
                outputs: {x: {type: integer, from: $c.x}}
                nodes:
                  - {id: a, task: t, inputs: {x: 3}}
                  - {id: b, task: t, inputs: {x: $a.x}}
                  - {id: c, task: t, inputs: {x: $b.x}}
            """)
        #expect(e.phase == .succeeded)
        #expect(e.outputs == ["x": .integer(3)])
        for path in ["a", "b", "c"] {
            let n = try #require(try h.node(e, path))
            #expect(n.state.phase == .succeeded && n.state.synchronous == true)
            #expect(n.state.callInFlight == nil && n.resourceState == nil)
            #expect(n.outputs == ["x": .integer(3)])
        }
    }

    @Test func aSyncTaskThatFailsRetryablyIsRetriedAsANewAttemptAndThenSucceeds() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let events = EngineTests.Events()
        let e = try await h.run(
            """
            tasks:
              flaky: {type: echo-sync, retries: 2, inputs: {x: integer}, outputs: {x: integer}, config: {fail: user, fail_until_attempt: 2}}
            workflows:
              w:
                outputs: {x: {type: integer, from: $a.x}}
                nodes: [{id: a, task: flaky, inputs: {x: 5}}]
            """, events: events)
        #expect(e.phase == .succeeded)
        #expect(e.outputs == ["x": .integer(5)])
        #expect(events.retries == ["a@1", "a@2"])
        let a = try #require(try h.node(e, "a"))
        #expect(a.state.attempt == 2 && a.state.userFailures == 2)
    }

    @Test func aSyncTaskPastItsRetryBudgetFailsTheNode() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(
            """
            tasks:
              bad: {type: echo-sync, retries: 1, inputs: {x: integer}, outputs: {x: integer}, config: {fail: user}}
            workflows:
              w:
                nodes: [{id: a, task: bad, inputs: {x: 1}}]
            """)
        #expect(e.phase == .failed)
        let a = try #require(try h.node(e, "a"))
        #expect(a.state.phase == .failed && a.state.userFailures == 2)
        #expect(a.state.lastError?.code == .plugin("Injected"))
    }

    @Test func theStateMachineClosesSyncAttemptsWithoutAbortOrFinalize() throws {
        var s = NodeState(budget: RetryBudget(user: 1, system: 0))
        #expect(try s.apply(.startSync) == .call(attempt: 0))
        #expect(s.synchronous == true)
        let retryable = TaskError(kind: .user, retryable: true, code: .plugin("X"), message: "x")
        #expect(try s.apply(.attemptFailed(retryable)) == .closeAttempt(attempt: 0, then: .submit(attempt: 1)))
        #expect(try s.apply(.attemptSucceeded) == .closeAttempt(attempt: 1, then: .done))
        #expect(s.phase == .succeeded)
        var aborted = NodeState(budget: RetryBudget(user: 0))
        _ = try aborted.apply(.startSync)
        #expect(try aborted.apply(.abortRequested) == .closeAttempt(attempt: 0, then: .done))
        #expect(throws: NodeState.TransitionError.self) { try aborted.apply(.startSync) }
    }
}
