import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Synchronization
import Testing

/// A map over a synchronous task of an in-process plugin (the Swift echo's "echo-sync") takes its items in
/// batches, each one job on the plugin's thread (issue 18): the batch's marks committed before its first call,
/// its ends after its last. One item's retryable failure is a new attempt of that item only; one item's
/// overrun fails that item only; an abort stops the batch before its next call.
@Suite(.timeLimit(.minutes(5))) struct SyncMapBatchTests {
    struct Harness {
        let host: PluginHost
        let engine: ExecutionEngine
        let store: SQLiteMetadataStore

        func start(
            _ yaml: String, items: Int, id: String = ExecutionID.make(), events: EngineTests.Events,
            also: @escaping @Sendable (EngineEvent) -> Void = { _ in }
        ) throws -> Task<ExecutionRecord, any Error> {
            let result = Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/virtual/spec.yaml")
            let spec = try #require(result.spec, "\(result.diagnostics)")
            let xs = Literal.list((0..<items).map { .integer(Int64($0)) })
            return Task {
                try await engine.run(
                    spec, workflow: "w", inputs: ["xs": xs], project: "p", domain: "development", id: id,
                    events: {
                        events.add($0)
                        also($0)
                    })
            }
        }

        func run(_ yaml: String, items: Int, events: EngineTests.Events = .init()) async throws -> ExecutionRecord {
            try await start(yaml, items: items, events: events).value
        }

        func items(_ e: ExecutionRecord) throws -> [Int: NodeRecord] {
            var byItem: [Int: NodeRecord] = [:]
            for n in try store.nodes(execution: e.id) where n.node.hasPrefix("m[") {
                byItem[Int(n.node.dropFirst(2).dropLast())!] = n
            }
            return byItem
        }
    }

    static func harness(budget: Duration? = nil) async throws -> Harness {
        let host = try await Fixtures.host(directory: Fixtures.directory(["swift-echo": "libAloftPluginEcho.so"])) {
            if let budget { $0.callOptions.callBudget = budget }
        }
        let root = try TemporaryDirectory.make("sync-map")
        let store = try SQLiteMetadataStore(path: root + "/metadata.sqlite")
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: root + "/blobs"),
            options: EngineOptions(parallelism: 8, minPollInterval: .milliseconds(1)))
        return Harness(host: host, engine: engine, store: store)
    }

    static func spec(config: String = "{}", retries: Int = 0, concurrency: Int, ratio: Double = 1) -> String {
        """
        tasks:
          t: {type: echo-sync, retries: \(retries), inputs: {x: integer}, outputs: {x: integer}, config: \(config)}
        workflows:
          w:
            inputs: {xs: list<integer>}
            outputs: {xs: {type: "list<optional<integer>>", from: $m.x}}
            nodes: [{id: m, map: {task: t, over: {x: $inputs.xs}, concurrency: \(concurrency), min_success_ratio: \(ratio)}}]
        """
    }

    @Test func aSyncMapRunsEachBatchAsOneJobAndStoresEveryItem() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let events = EngineTests.Events()
        // One runner: its 12 items are one batch.
        let e = try await h.run(Self.spec(concurrency: 1), items: 12, events: events)
        #expect(e.phase == .succeeded)
        #expect(e.outputs == ["xs": .list((0..<12).map { .integer(Int64($0)) })])
        let items = try h.items(e)
        #expect(items.count == 12)
        #expect(items.values.allSatisfy { $0.state.phase == .succeeded && $0.state.attempt == 0 })
        #expect(items.values.allSatisfy { $0.state.callInFlight == nil && $0.state.synchronous == true })
        #expect(items.allSatisfy { i, n in n.outputs == ["x": .integer(Int64(i))] })
        // Every mark was durable (and announced) before the batch's first call, every end after its last: the
        // items' starts all come before their ends (one at a time, they would alternate).
        let order = events.all.compactMap { event -> String? in
            switch event {
            case .nodeStarted(let path, _) where path.hasPrefix("m["): return "started"
            case .nodeFinished(let path, _, _) where path.hasPrefix("m["): return "finished"
            default: return nil
            }
        }
        #expect(order == Array(repeating: "started", count: 12) + Array(repeating: "finished", count: 12))
    }

    @Test func aRetryableFailureOfOneItemIsANewAttemptOfThatItemOnly() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let events = EngineTests.Events()
        let e = try await h.run(
            Self.spec(config: "{fail: user, fail_until_attempt: 1, only_when: {x: 7}}", retries: 1, concurrency: 2),
            items: 40, events: events)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(e.outputs == ["xs": .list((0..<40).map { .integer(Int64($0)) })])
        #expect(events.retries == ["m[7]@1"])
        let items = try h.items(e)
        #expect(items.count == 40 && items.values.allSatisfy { $0.state.phase == .succeeded })
        #expect(items[7]?.state.attempt == 1 && items[7]?.state.userFailures == 1)
        #expect(items.filter { $0.key != 7 }.values.allSatisfy { $0.state.attempt == 0 })
    }

    @Test func anItemWhoseCallOverrunsItsBudgetFailsAloneAndTheOthersRun() async throws {
        let h = try await Self.harness(budget: .seconds(2))
        defer { h.host.shutdown() }
        let e = try await h.run(
            Self.spec(config: "{delay_ms: 8000, only_when: {x: 3}}", concurrency: 2, ratio: 0.5), items: 40)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        var expected = (0..<40).map { Literal.integer(Int64($0)) }
        expected[3] = .none
        #expect(e.outputs == ["xs": .list(expected)])
        let items = try h.items(e)
        #expect(items[3]?.state.phase == .failed)
        #expect(items[3]?.state.lastError?.code == .pluginCallOverran)
        #expect(items.filter { $0.key != 3 }.values.allSatisfy { $0.state.phase == .succeeded })
        #expect(items.values.allSatisfy { $0.state.callInFlight == nil })
    }

    @Test func anAbortBeforeABatchsCallsAbortsEveryItemWithoutCallingIt() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let events = EngineTests.Events()
        let canceller = CancelOnce()
        // The run is cancelled (as Ctrl-C does) on the plugin's thread as the batch announces its items, after
        // their marks are durable and before the first call: the batch stops there (calls of a second each).
        let run = try h.start(Self.spec(config: "{delay_ms: 1000}", concurrency: 1), items: 10, events: events) {
            if case .nodeStarted = $0 { canceller.cancel() }
        }
        canceller.set(run)
        let e = try await run.value
        #expect(e.phase == .aborted)
        let items = try h.items(e)
        // Every item was aborted, none left marked as in a call; no call ran (a call takes a second and would
        // have succeeded).
        #expect(items.count == 10)
        #expect(items.values.allSatisfy { $0.state.phase == .aborted && $0.state.callInFlight == nil })
        #expect(events.all.filter { if case .nodeStarted = $0 { true } else { false } }.count == 10)
    }
}
