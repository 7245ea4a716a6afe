import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// Cache hit, miss, ignored inputs, overwrite, serialize, lost blobs, type checks; lineage; recover; abort.
@Suite(.timeLimit(.minutes(5))) struct CacheLineageTests {
    struct Harness {
        let host: PluginHost
        let store: SQLiteMetadataStore
        let blobs: LocalBlobStore
        let journal: String

        func engine(_ configure: (inout EngineOptions) -> Void = { _ in }) -> ExecutionEngine {
            var o = EngineOptions(minPollInterval: .milliseconds(1))
            configure(&o)
            return ExecutionEngine(host: host, store: store, blobs: blobs, options: o)
        }

        var lines: [String] { EchoJournal(path: journal).lines }
        var submits: [String] { lines.filter { $0.hasPrefix("submit ") } }
        var finalizes: [String] { lines.filter { $0.hasPrefix("finalize ") } }

        func node(_ e: ExecutionRecord, _ path: String) throws -> NodeRecord? {
            try store.nodes(execution: e.id).first { $0.node == path }
        }
    }

    static func harness() async throws -> Harness {
        let root = NSTemporaryDirectory() + "aloft-cache-\(UUID())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let journal = root + "/journal.txt"
        let host = try await Fixtures.host(directory: Fixtures.directory(["c-echo": "libc_echo.so"])) {
            $0.pluginConfig["example.c-echo"] = .object(["journal": .string(journal)])
        }
        return Harness(
            host: host, store: try SQLiteMetadataStore(path: root + "/metadata.sqlite"),
            blobs: try LocalBlobStore(root: root + "/blobs"),
            journal: journal)
    }

    static func spec(_ yaml: String) throws -> CompiledSpec {
        let r = Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/virtual/spec.yaml")
        return try #require(r.spec, "\(r.diagnostics)")
    }

    static let cached = """
        tasks:
          square:
            type: echo
            inputs: {x: integer, note: {type: string, default: ""}}
            outputs: {x: integer}
            cache: {version: "1", ignore: [note], serialize: true}
            config: {delay_ms: 150}
        workflows:
          w:
            inputs: {x: integer, note: {type: string, default: a}}
            outputs: {x: {type: integer, from: $s.x}}
            nodes: [{id: s, task: square, inputs: {x: $inputs.x, note: $inputs.note}}]
        """

    @Test func hitMissIgnoredInputAndOverwrite() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let spec = try Self.spec(Self.cached)
        let first = try await h.engine().run(
            spec, workflow: "w", inputs: ["x": .integer(3)], project: "p", domain: "development")
        #expect(h.submits.count == 1)
        // Same inputs but the ignored one: a hit, pointing at its producer.
        let hit = try await h.engine().run(
            spec, workflow: "w", inputs: ["x": .integer(3), "note": .string("other")], project: "p",
            domain: "development")
        #expect(hit.outputs == ["x": .integer(3)])
        #expect(h.submits.count == 1)
        let s = try #require(try h.node(hit, "s"))
        #expect(s.state.cached && s.cachedFrom == "\(first.id)/s")
        // Another value of a real input: a miss.
        _ = try await h.engine().run(
            spec, workflow: "w", inputs: ["x": .integer(4)], project: "p", domain: "development")
        #expect(h.submits.count == 2)
        // Another project: its own cache.
        _ = try await h.engine().run(
            spec, workflow: "w", inputs: ["x": .integer(3)], project: "q", domain: "development")
        #expect(h.submits.count == 3)
        // Overwrite: computes again and replaces the entry.
        let fresh = try await h.engine { $0.overwriteCache = true }.run(
            spec, workflow: "w", inputs: ["x": .integer(3)], project: "p", domain: "development")
        #expect(h.submits.count == 4)
        let entries = try h.store.cacheEntries(project: "p", domain: "development", task: "square")
        #expect(entries.count == 2)
        #expect(entries.contains { $0.producer.execution == fresh.id })
        // A changed cache version misses.
        let bumped = try Self.spec(Self.cached.replacingOccurrences(of: "version: \"1\"", with: "version: \"2\""))
        _ = try await h.engine().run(
            bumped, workflow: "w", inputs: ["x": .integer(3)], project: "p", domain: "development")
        #expect(h.submits.count == 5)
    }

    @Test func serializeMakesIdenticalNodesWaitForOneOwner() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        // The owner computes for 2 s, so the other run overlaps it even when a loaded machine starts it late.
        let spec = try Self.spec(Self.cached.replacingOccurrences(of: "delay_ms: 150", with: "delay_ms: 2000"))
        let engine = h.engine()
        final class Statuses: @unchecked Sendable {
            let lock = NSLock()
            var items: [String] = []
        }
        let statuses = Statuses()
        async let a = engine.run(
            spec, workflow: "w", inputs: ["x": .integer(9)], project: "p", domain: "development",
            events: { if case .nodeStatus(_, let m) = $0 { statuses.lock.withLock { statuses.items.append(m) } } })
        async let b = engine.run(
            spec, workflow: "w", inputs: ["x": .integer(9)], project: "p", domain: "development",
            events: { if case .nodeStatus(_, let m) = $0 { statuses.lock.withLock { statuses.items.append(m) } } })
        let (ra, rb) = try await (a, b)
        #expect(ra.phase == .succeeded && rb.phase == .succeeded)
        #expect(h.submits.count == 1)  // one owner computed; the other waited and took the hit
        let waiting = statuses.lock.withLock { statuses.items }.filter { $0.hasPrefix("waiting") }
        #expect(waiting.count == 1)
        #expect(waiting.first?.hasPrefix("waiting for the cache entry being computed by ex-") == true)
        let cachedOne = try [h.node(ra, "s"), h.node(rb, "s")].compactMap { $0 }.filter { $0.state.cached }
        #expect(cachedOne.count == 1)
    }

    /// The owner can write its entry and release between a waiter's last look and its next reservation (seen
    /// in CI: the waiter then computed again). Made exact here: the entry lands just before the reservation.
    @Test func aReservationTakenJustAfterTheOwnerFinishedTakesTheEntry() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let spec = try Self.spec(Self.cached)
        let first = try await h.engine().run(
            spec, workflow: "w", inputs: ["x": .integer(5)], project: "p", domain: "development")
        #expect(first.phase == .succeeded && h.submits.count == 1)
        let entry = try #require(try h.store.cacheEntries(project: "p", domain: "development", task: "square").first)
        #expect(try h.store.clearCache(project: "p", domain: "development", task: "square") == 1)
        let store = h.store
        let landing = HookedStore(
            store,
            beforeReserve: { key in
                if key == entry.key, try store.cacheEntry(key: key) == nil { try store.putCacheEntry(entry) }
            })
        let engine = ExecutionEngine(
            host: h.host, store: landing, blobs: h.blobs, options: EngineOptions(minPollInterval: .milliseconds(1)))
        let second = try await engine.run(
            spec, workflow: "w", inputs: ["x": .integer(5)], project: "p", domain: "development")
        #expect(second.phase == .succeeded)
        #expect(h.submits.count == 1)
        let s = try #require(try h.node(second, "s"))
        #expect(s.state.cached && s.cachedFrom == "\(first.id)/s")
        // The reservation taken on the way is given back.
        #expect(try store.reserve(key: entry.key, owner: "probe", until: Date().addingTimeInterval(60)) == nil)
    }

    @Test func aHitWhoseBlobIsGoneRecomputesAndAHitOfTheWrongTypeIsIgnored() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let file = NSTemporaryDirectory() + "aloft-blob-\(UUID()).csv"
        try "a,b\n".write(toFile: file, atomically: true, encoding: .utf8)
        let spec = try Self.spec(
            """
            tasks:
              keep: {type: echo, inputs: {f: blob<csv>}, outputs: {f: blob<csv>}, cache: {version: "1"}}
            workflows:
              w: {inputs: {f: blob<csv>}, nodes: [{id: k, task: keep, inputs: {f: $inputs.f}}]}
            """)
        let inputs: LiteralMap = ["f": .blob(BlobValue(uri: "file://" + file, type: BlobType(format: "csv")))]
        _ = try await h.engine().run(spec, workflow: "w", inputs: inputs, project: "p", domain: "development")
        _ = try await h.engine().run(spec, workflow: "w", inputs: inputs, project: "p", domain: "development")
        #expect(h.submits.count == 1)
        try FileManager.default.removeItem(atPath: file)
        let again = try await h.engine().run(spec, workflow: "w", inputs: inputs, project: "p", domain: "development")
        #expect(h.submits.count == 2)  // recomputed instead of handing on a dangling blob
        #expect(try h.node(again, "k")?.state.cached == false)

        // An entry whose outputs no longer have the interface's types is not used.
        let task = spec.tasks["keep"]!
        let lookup = CacheLookup(project: "p", domain: "development", task: task, policy: task.cache!, inputs: inputs)
        try h.store.putCacheEntry(
            CacheEntry(
                key: lookup.key, project: "p", domain: "development", task: "keep", cacheVersion: "1",
                interfaceHash: lookup.interfaceHash, inputsHash: lookup.inputsHash, outputs: ["f": .integer(1)],
                producer: .init(execution: "forged", node: "k", attempt: 0, taskVersion: "x")))
        _ = try await h.engine().run(spec, workflow: "w", inputs: inputs, project: "p", domain: "development")
        #expect(h.submits.count == 3)
    }

    @Test func lineageRecordsWhatEachNodeReadAndWhoReadIt() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let spec = try Self.spec(
            """
            tasks:
              t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
              pair: {type: echo, inputs: {a: integer, b: integer}, outputs: {a: integer}}
            workflows:
              w:
                nodes:
                  - {id: one, task: t, inputs: {x: 1}}
                  - {id: two, task: t, inputs: {x: $one.x}}
                  - {id: both, task: pair, inputs: {a: $one.x, b: $two.x}}
            """)
        let e = try await h.engine().run(spec, workflow: "w", inputs: [:], project: "p", domain: "development")
        let (up, down) = try h.store.lineage(execution: e.id, node: "both")
        #expect(up.map { "\($0.input)<-\($0.sourceNode).\($0.sourceOutput)" } == ["a<-one.x", "b<-two.x"])
        #expect(down.isEmpty)
        let one = try h.store.lineage(execution: e.id, node: "one")
        #expect(Set(one.downstream.map(\.node)) == ["two", "both"])
        #expect(try h.node(e, "both")?.taskVersion == spec.tasks["pair"]!.template.version)
    }

    @Test func recoverReusesWhatSucceeded() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let flag = NSTemporaryDirectory() + "aloft-flag-\(UUID())"
        try "x".write(toFile: flag, atomically: true, encoding: .utf8)
        let spec = try Self.spec(
            """
            tasks:
              t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
              fragile: {type: echo, inputs: {x: integer}, outputs: {x: integer}, config: {fail_while_file: "\(flag)"}}
            workflows:
              w:
                outputs: {x: {type: integer, from: $last.x}}
                nodes:
                  - {id: first, task: t, inputs: {x: 11}}
                  - {id: mid, task: fragile, inputs: {x: $first.x}}
                  - {id: last, task: t, inputs: {x: $mid.x}}
            """)
        let failed = try await h.engine().run(spec, workflow: "w", inputs: [:], project: "p", domain: "development")
        #expect(failed.phase == .failed)
        #expect(try h.node(failed, "last")?.state.phase == .skipped)
        let before = h.submits
        try FileManager.default.removeItem(atPath: flag)
        let recovered = try await h.engine().recover(failed.id)
        #expect(
            recovered.phase == .succeeded && recovered.outputs == ["x": .integer(11)]
                && recovered.recoveredFrom == failed.id)
        let resubmitted = h.submits.dropFirst(before.count)
        #expect(!resubmitted.contains { $0.contains("-first-") })  // first succeeded before: reused, not re-run
        #expect(resubmitted.count == 2)  // mid and last
        #expect(try h.node(recovered, "first")?.cachedFrom == "\(failed.id)/first")
        await #expect(throws: ExecutionEngine.Failure.self) { try await h.engine().recover(recovered.id) }
    }

    @Test func abortRequestedThroughTheStoreStopsTheRun() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let spec = try Self.spec(
            """
            tasks:
              slow: {type: echo, inputs: {x: integer}, outputs: {x: integer}, config: {delay_ms: 60000}}
            workflows:
              w: {nodes: [{id: a, task: slow, inputs: {x: 1}}, {id: b, task: slow, inputs: {x: $a.x}}]}
            """)
        let engine = h.engine()
        let id = ExecutionID.make()
        async let run = engine.run(spec, workflow: "w", inputs: [:], project: "p", domain: "development", id: id)
        while h.submits.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        try h.store.requestAbort(id: id)
        let e = try await run
        #expect(e.phase == .aborted)
        #expect(try h.node(e, "a")?.state.phase == .aborted)
        #expect(try h.node(e, "b")?.state.phase == .skipped)
    }

    /// An abort that comes while a submit is inside the plugin waits for that submit (the plugin sees
    /// is_cancelled), stores its state, and aborts and finalizes with it: abort can stop what submit started.
    /// Abandoned (as before), the submit's state was dropped and abort got an empty one.
    @Test func anAbortDuringASubmitAbortsWithTheStateThatSubmitReturned() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let spec = try Self.spec(
            """
            tasks:
              slow: {type: echo, inputs: {x: integer}, outputs: {x: integer}, config: {delay_ms: 60000, submit_block_ms: 1500}}
            workflows:
              w: {nodes: [{id: a, task: slow, inputs: {x: 1}}, {id: b, task: slow, inputs: {x: $a.x}}]}
            """)
        let id = ExecutionID.make()
        async let run = h.engine().run(spec, workflow: "w", inputs: [:], project: "p", domain: "development", id: id)
        // The submit journals on entry, then blocks 1.5 s; the abort comes meanwhile.
        while h.submits.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        try h.store.requestAbort(id: id)
        let e = try await run
        #expect(e.phase == .aborted)
        let a = try #require(try h.node(e, "a"))
        #expect(a.state.phase == .aborted)
        let task = try #require(a.taskExecutionID)
        let state = try #require(a.resourceState, "the submit's state was not stored")
        #expect(
            h.lines.filter { $0.hasPrefix("abort ") } == ["abort \(task) \(String(decoding: state, as: UTF8.self))"])
        #expect(h.finalizes == ["finalize \(task)"])
        #expect(try h.node(e, "b")?.state.phase == .skipped)
    }

    @Test func aThrottledSubmitIsRetriedWithTheSameIdAndEveryAttemptIsFinalized() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let spec = try Self.spec(
            """
            tasks:
              t: {type: echo, inputs: {x: integer}, outputs: {x: integer}, config: {submit_fail_times: 2}}
              never: {type: echo, retries: 1, inputs: {x: integer}, outputs: {x: integer}, config: {submit_fail_times: 100}}
            workflows:
              ok: {nodes: [{id: a, task: t, inputs: {x: 1}}]}
              bad: {nodes: [{id: b, task: never, inputs: {x: 1}}]}
            """)
        let fast = h.engine { $0.maxPollInterval = .milliseconds(10) }
        let ok = try await fast.run(spec, workflow: "ok", inputs: [:], project: "p", domain: "development")
        #expect(ok.phase == .succeeded)
        let a = try #require(try h.node(ok, "a"))
        #expect(a.state.attempt == 0)  // the throttling cost no attempt
        #expect(h.submits == Array(repeating: "submit \(a.taskExecutionID!)", count: 3))  // three tries, one id
        #expect(h.finalizes == ["finalize \(a.taskExecutionID!)"])

        let bad = try await fast.run(spec, workflow: "bad", inputs: [:], project: "p", domain: "development")
        #expect(bad.phase == .failed)
        let b = try #require(try h.node(bad, "b"))
        #expect(b.state.lastError?.code == .plugin("Throttled"))
        // A system error: the system budget (3 retries by default) applies, not the task's user retries.
        #expect(b.state.systemFailures == 4 && b.state.attempt == 3)  // four attempts of ten tries each, each finalized
        #expect(h.submits.count == 3 + 40)
        #expect(h.finalizes.count == 1 + 4)
    }
}
