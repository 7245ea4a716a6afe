import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Synchronization
import Testing

/// A chain of synchronous tasks of an in-process plugin (the Swift echo's "echo-sync") runs as one job on the
/// plugin's thread (issue 18, SyncChainRun): each node's call after the one before it, the calls in flight
/// marked in the execution's call journal (SQLite) or by a mark committed with the previous node's end
/// (PostgreSQL), the ends committed in groups. A failed, overrunning or aborted node goes on from async code
/// as a lone node would, and the chain after it goes on.
@Suite(.timeLimit(.minutes(5))) struct SyncChainTests {
    struct Harness {
        let host: PluginHost
        let engine: ExecutionEngine
        let store: any MetadataStore
        let location: StoreLocation

        func start(
            _ yaml: String, id: String = ExecutionID.make(), events: EngineTests.Events,
            also: @escaping @Sendable (EngineEvent) -> Void = { _ in }
        ) throws -> Task<ExecutionRecord, any Error> {
            let result = Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/virtual/spec.yaml")
            let spec = try #require(result.spec, "\(result.diagnostics)")
            return Task {
                try await engine.run(
                    spec, workflow: "w", inputs: ["x": .integer(41)], project: "p", domain: "development", id: id,
                    events: {
                        events.add($0)
                        also($0)
                    })
            }
        }

        /// The execution's call journal directory (SQLite only).
        func journal(_ id: String) -> String? {
            guard location.kind == .sqlite else { return nil }
            return (location.url as NSString).deletingLastPathComponent + "/calls/" + id
        }
    }

    static func harness(_ kind: StoreKind = .sqlite, budget: Duration? = nil) async throws -> Harness {
        let host = try await Fixtures.host(directory: Fixtures.directory(["swift-echo": "libAloftPluginEcho.so"])) {
            if let budget { $0.callOptions.callBudget = budget }
        }
        let location = try kind.location("sync-chain")
        let store = try location.open()
        let root = try TemporaryDirectory.make("sync-chain-blobs")
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: root),
            options: EngineOptions(parallelism: 8, minPollInterval: .milliseconds(1)))
        return Harness(host: host, engine: engine, store: store, location: location)
    }

    /// A chain n0 -> n1 -> ... of `length` nodes: each echoes x from the node before it, and is told its place
    /// (`i`) so that `only_when` can single one out.
    static func spec(length: Int, config: String = "{}", retries: Int = 0) -> String {
        var nodes = ["      - {id: n0, task: t, inputs: {x: $inputs.x, i: 0}}"]
        for k in 1..<length { nodes.append("      - {id: n\(k), task: t, inputs: {x: $n\(k - 1).x, i: \(k)}}") }
        return """
            tasks:
              t: {type: echo-sync, retries: \(retries), inputs: {x: integer, i: integer}, outputs: {x: integer}, config: \(config)}
            workflows:
              w:
                inputs: {x: integer}
                outputs: {x: {type: integer, from: $n\(length - 1).x}}
                nodes:
            \(nodes.joined(separator: "\n"))
            """
    }

    @Test(arguments: StoreKind.all)
    func aSyncChainRunsToTheEndWithEveryNodeStoredOnce(_ kind: StoreKind) async throws {
        let h = try await Self.harness(kind)
        defer { h.host.shutdown() }
        let events = EngineTests.Events()
        let id = ExecutionID.make()
        // Past the first group of journaled calls (256 ends a commit), the journal has this host's file.
        let journalFiles = Mutex<Int?>(nil)
        let e = try await h.start(Self.spec(length: 600), id: id, events: events) { event in
            if case .nodeFinished("n300", _, _) = event, let dir = h.journal(id) {
                journalFiles.withLock { $0 = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.count ?? 0 }
            }
        }.value
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(e.outputs == ["x": .integer(41)])
        let nodes = try h.store.nodes(execution: id)
        #expect(nodes.count == 600)
        #expect(nodes.allSatisfy { $0.state.phase == .succeeded && $0.state.attempt == 0 })
        #expect(nodes.allSatisfy { $0.state.callInFlight == nil && $0.state.synchronous == true })
        #expect(nodes.allSatisfy { $0.outputs == ["x": .integer(41)] })
        // Each node started once and finished once, in that order; the scope saw them in chain order.
        let started = events.all.compactMap { if case .nodeStarted(let p, _) = $0 { p } else { nil } }
        let finished = events.all.compactMap { if case .nodeFinished(let p, _, _) = $0 { p } else { nil } }
        #expect(started == (0..<600).map { "n\($0)" } && finished == started)
        // Lineage rode in each node's commit (the first's with its mark, the others' with their ends).
        for k in 1..<600 {
            let lineage = try h.store.lineage(execution: id, node: "n\(k)")
            #expect(lineage.upstream.map(\.sourceNode) == ["n\(k - 1)"], "n\(k)")
        }
        if let dir = h.journal(id) {
            #expect(journalFiles.withLock { $0 } == 1, "the chain's calls were not journaled")
            #expect(!FileManager.default.fileExists(atPath: dir), "the journal outlived its execution")
        }
    }

    @Test func aRetryableFailureInAChainIsANewAttemptOfThatNodeAndTheChainGoesOn() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let events = EngineTests.Events()
        let id = ExecutionID.make()
        let e = try await h.start(
            Self.spec(length: 40, config: "{fail: user, fail_until_attempt: 1, only_when: {i: 7}}", retries: 1),
            id: id, events: events
        ).value
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(e.outputs == ["x": .integer(41)])
        #expect(events.retries == ["n7@1"])
        let nodes = Dictionary(uniqueKeysWithValues: try h.store.nodes(execution: id).map { ($0.node, $0) })
        #expect(nodes.count == 40 && nodes.values.allSatisfy { $0.state.phase == .succeeded })
        #expect(nodes["n7"]?.state.attempt == 1 && nodes["n7"]?.state.userFailures == 1)
        #expect(nodes.filter { $0.key != "n7" }.values.allSatisfy { $0.state.attempt == 0 })
        // The node that ended from async code wrote its lineage there, and the chain after it on the thread.
        for k in [6, 7, 8, 39] {
            #expect(try h.store.lineage(execution: id, node: "n\(k)").upstream.map(\.sourceNode) == ["n\(k - 1)"])
        }
    }

    @Test func aNodeWhoseCallOverrunsFailsAloneWithWhatCameBeforeItStored() async throws {
        let h = try await Self.harness(budget: .seconds(2))
        defer { h.host.shutdown() }
        let id = ExecutionID.make()
        let e = try await h.start(
            Self.spec(length: 300, config: "{delay_ms: 8000, only_when: {i: 280}}"), id: id, events: .init()
        ).value
        #expect(e.phase == .failed)
        let nodes = Dictionary(uniqueKeysWithValues: try h.store.nodes(execution: id).map { ($0.node, $0) })
        #expect(nodes["n280"]?.state.phase == .failed)
        #expect(nodes["n280"]?.state.lastError?.code == .pluginCallOverran)
        // The ends made on the thread and not yet committed there when the call was abandoned are stored too.
        #expect((0..<280).allSatisfy { nodes["n\($0)"]?.state.phase == .succeeded })
        #expect((281..<300).allSatisfy { nodes["n\($0)"]?.state.phase == .skipped })
        #expect(nodes.values.allSatisfy { $0.state.callInFlight == nil })
    }

    @Test func anAbortInAChainAbortsTheNodeInItsCallAndRunsNothingAfter() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let events = EngineTests.Events()
        let canceller = CancelOnce()
        let id = ExecutionID.make()
        // Cancelled (as Ctrl-C does) once n3 has finished: n4's call would take 10 minutes and is abandoned:
        // were the abort to wait for it, the suite's time limit would end the test.
        let run = try h.start(
            Self.spec(length: 10, config: "{delay_ms: 600000, only_when: {i: 4}}"), id: id, events: events
        ) {
            if case .nodeFinished("n3", _, _) = $0 { canceller.cancel() }
        }
        canceller.set(run)
        let e = try await run.value
        #expect(e.phase == .aborted)
        let nodes = Dictionary(uniqueKeysWithValues: try h.store.nodes(execution: id).map { ($0.node, $0) })
        #expect((0..<4).allSatisfy { nodes["n\($0)"]?.state.phase == .succeeded })
        #expect(nodes["n4"]?.state.phase == .aborted)
        #expect((5..<10).allSatisfy { nodes["n\($0)"]?.state.phase != .succeeded })
        #expect(nodes.values.allSatisfy { $0.state.callInFlight == nil })
    }
}
