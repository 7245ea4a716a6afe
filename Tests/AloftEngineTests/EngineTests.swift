import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Synchronization
import Testing

/// The engine with the C echo plugin, in process: retries and their budgets, timeouts, node kinds, scale.
@Suite(.timeLimit(.minutes(10))) struct EngineTests {
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [EngineEvent] = []
        func add(_ e: EngineEvent) { lock.withLock { items.append(e) } }
        var all: [EngineEvent] { lock.withLock { items } }
        var retries: [String] {
            all.compactMap { if case .nodeRetrying(let p, let a, _) = $0 { return "\(p)@\(a)" } else { return nil } }
        }
    }

    struct Harness {
        let host: PluginHost
        let engine: ExecutionEngine
        let store: any MetadataStore

        func run(
            _ yaml: String, workflow: String, inputs: LiteralMap = [:], events: Events = Events()
        ) async throws -> ExecutionRecord {
            let result = Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/virtual/spec.yaml")
            let spec = try #require(result.spec, "\(result.diagnostics)")
            return try await engine.run(
                spec, workflow: workflow, inputs: inputs, project: "p", domain: "development", events: events.add)
        }

        func node(_ e: ExecutionRecord, _ path: String) throws -> NodeRecord? {
            try store.nodes(execution: e.id).first { $0.node == path }
        }
    }

    static func harness(
        parallelism: Int = 16, clock: (any EngineClock)? = nil, store kind: StoreKind = .sqlite
    ) async throws -> Harness {
        let host = try await Fixtures.host(directory: Fixtures.directory(["c-echo": "libc_echo.so"]))
        let root = NSTemporaryDirectory() + "aloft-engine-\(UUID())"
        let store = try kind == .sqlite ? SQLiteMetadataStore(path: root + "/metadata.sqlite") : kind.store("engine")
        var options = EngineOptions(parallelism: parallelism, minPollInterval: .milliseconds(1))
        if let clock { options.clock = clock }
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: root + "/blobs"), options: options)
        return Harness(host: host, engine: engine, store: store)
    }

    @Test func retriesWithinTheUserBudgetThenSucceeds() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let events = Events()
        let e = try await h.run(
            """
            tasks:
              flaky: {type: echo, retries: 2, inputs: {x: integer}, outputs: {x: integer}, config: {fail: user, fail_until_attempt: 2}}
            workflows:
              w:
                outputs: {x: {type: integer, from: $a.x}}
                nodes: [{id: a, task: flaky, inputs: {x: 5}}]
            """, workflow: "w", events: events)
        #expect(e.phase == .succeeded)
        #expect(e.outputs == ["x": .integer(5)])
        #expect(events.retries == ["a@1", "a@2"])
        let a = try #require(try h.node(e, "a"))
        #expect(a.state.attempt == 2 && a.state.userFailures == 2)
    }

    @Test func userBudgetExhaustedFailsAndSkipsDownstream() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(
            """
            tasks:
              flaky: {type: echo, retries: 1, inputs: {x: integer}, outputs: {x: integer}, config: {fail: user}}
              ok: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
            workflows:
              w:
                nodes:
                  - {id: a, task: flaky, inputs: {x: 1}}
                  - {id: b, task: ok, inputs: {x: $a.x}}
                  - {id: side, task: ok, inputs: {x: 2}}
            """, workflow: "w")
        #expect(e.phase == .failed)
        #expect(e.error == "a: echo failed on purpose")
        #expect(try h.node(e, "a")?.state.phase == .failed)
        #expect(try h.node(e, "a")?.state.userFailures == 2)
        #expect(try h.node(e, "b")?.state.phase == .skipped)
        #expect(try h.node(e, "side")?.state.phase == .succeeded)  // independent work still finishes
    }

    @Test func systemFailuresHaveTheirOwnBudget() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        // retries: 0 for user errors, yet system errors are retried (default system budget 3).
        let e = try await h.run(
            """
            tasks:
              sys: {type: echo, retries: 0, inputs: {x: integer}, outputs: {x: integer}, config: {fail: system, fail_until_attempt: 3}}
            workflows:
              w: {nodes: [{id: a, task: sys, inputs: {x: 1}}]}
            """, workflow: "w")
        #expect(e.phase == .succeeded)
        #expect(try h.node(e, "a")?.state.systemFailures == 3)
    }

    @Test func timeoutAbortsTheAttemptAndFails() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(
            """
            tasks:
              slow: {type: echo, timeout: 200ms, inputs: {x: integer}, outputs: {x: integer}, config: {delay_ms: 60000}}
            workflows:
              w: {nodes: [{id: a, task: slow, inputs: {x: 1}}]}
            """, workflow: "w")
        #expect(e.phase == .failed)
        let a = try #require(try h.node(e, "a"))
        #expect(a.state.lastError?.code == .timeout)
        #expect(a.state.phase == .failed)
    }

    /// A clock that moves ten minutes each time the engine looks at it: an hour-long timeout passes
    /// within a few polls, where the system clock would make the test wait the hour. The task itself waits
    /// an hour of real time, so only the engine's clock can end it, however few polls a slow machine makes.
    final class LeapingClock: EngineClock, @unchecked Sendable {
        private let lock = NSLock()
        private var elapsed = Duration.zero
        var now: Duration {
            lock.withLock {
                elapsed += .seconds(600)
                return elapsed
            }
        }
    }

    @Test func anHourLongTimeoutIsKeptOnTheEnginesClock() async throws {
        let h = try await Self.harness(clock: LeapingClock())
        defer { h.host.shutdown() }
        let e = try await h.run(
            """
            tasks:
              slow: {type: echo, timeout: 1h, inputs: {x: integer}, outputs: {x: integer}, config: {delay_ms: 3600000}}
            workflows:
              w: {nodes: [{id: a, task: slow, inputs: {x: 1}}]}
            """, workflow: "w")
        #expect(e.phase == .failed)
        let a = try #require(try h.node(e, "a"))
        #expect(a.state.lastError?.code == .timeout)
    }

    @Test func branchMapAndSubworkflowProduceTheirOutputs() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let spec = try #require(
            Compiler(resolver: AnyTaskType()).compile(files: [
                Fixtures.repoRoot.path + "/examples/workflows/node-kinds.yaml"
            ]).spec)
        let careful = try await h.engine.run(
            spec, workflow: "node_kinds", inputs: ["mode": .enumeration("careful"), "threshold": .float(1.5)],
            project: "p", domain: "development")
        #expect(careful.phase == .succeeded)
        // weigh(1.5) = 1.5 (echo); careful and 1.5 > 2 is false -> elif: weigh(threshold) = 1.5
        #expect(careful.outputs == ["first": .float(1.5), "summary": .list([.float(1.5), .float(1.5), .float(3)])])
        #expect(try h.node(careful, "scores")?.outputs == ["value": .list([.float(0.5), .float(1.5), .float(2.5)])])
        #expect(try h.node(careful, "decide#1/weighed")?.state.phase == .succeeded)

        let negative = try await h.engine.run(
            spec, workflow: "node_kinds", inputs: ["threshold": .float(-1)], project: "p", domain: "development")
        #expect(negative.phase == .failed)
        #expect(negative.error?.contains("decide: threshold must not be negative") == true)
    }

    @Test func mapSuccessRatio() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        // Items fail when their attempt is below fail_until_attempt... all items fail here (no retries).
        let yaml = """
            tasks:
              bad: {type: echo, inputs: {x: integer}, outputs: {x: integer}, config: {fail: user}}
            workflows:
              strict:
                inputs: {xs: list<integer>}
                nodes: [{id: m, map: {task: bad, over: {x: $inputs.xs}, concurrency: 2}}]
              lenient:
                inputs: {xs: list<integer>}
                outputs: {xs: {type: "list<optional<integer>>", from: $m.x}}
                nodes: [{id: m, map: {task: bad, over: {x: $inputs.xs}, min_success_ratio: 0.5}}]
            """
        let strict = try await h.run(
            yaml, workflow: "strict", inputs: ["xs": .list([.integer(1), .integer(2), .integer(3)])])
        #expect(strict.phase == .failed)
        #expect(strict.error?.contains("3 of 3 items failed (minimum success ratio 1.0)") == true)
        let empty = try await h.run(yaml, workflow: "lenient", inputs: ["xs": .list([])])
        #expect(empty.phase == .succeeded && empty.outputs == ["xs": .list([])])
    }

    @Test func aThousandNodesInOneExecution() async throws {
        let h = try await Self.harness(parallelism: 32)
        defer { h.host.shutdown() }
        var yaml =
            "tasks:\n  t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}\nworkflows:\n  w:\n    outputs: {x: {type: integer, from: $n999.x}}\n    nodes:\n"
        yaml += "      - {id: n0, task: t, inputs: {x: 42}}\n"
        for i in 1..<1000 { yaml += "      - {id: n\(i), task: t, inputs: {x: $n\(i % 10 == 0 ? 0 : i - 1).x}}\n" }
        let e = try await h.run(yaml, workflow: "w")
        #expect(e.phase == .succeeded)
        #expect(e.outputs == ["x": .integer(42)])
        let nodes = try h.store.nodes(execution: e.id)
        #expect(nodes.count == 1000)
        #expect(nodes.allSatisfy { $0.state.phase == .succeeded })
    }

    @Test func badInputsAreRefusedBeforeAnythingRuns() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        do {
            _ = try await h.run(
                "tasks:\n  t: {type: echo}\nworkflows:\n  w:\n    inputs: {n: integer}\n    nodes: [{id: a, task: t}]\n",
                workflow: "w", inputs: ["n": .string("x"), "extra": .none])
            Issue.record("bad inputs accepted")
        } catch {
            #expect("\(error)" == "bad inputs: n: expected integer, got string; extra: not an input of workflow w")
        }
        #expect(try h.store.executions(project: nil, domain: nil, limit: 5).isEmpty)
    }
}

@Suite(.timeLimit(.minutes(5))) struct ParallelismTests {
    @Test func neverMoreTaskCallsAtOnceThanTheExecutionAllows() async throws {
        let host = try await Fixtures.host(directory: Fixtures.directory(["c-echo": "libc_echo.so"]))
        defer { host.shutdown() }
        let root = NSTemporaryDirectory() + "aloft-par-\(UUID())"
        let engine = ExecutionEngine(
            host: host, store: try SQLiteMetadataStore(path: root + "/m.sqlite"),
            blobs: try LocalBlobStore(root: root + "/b"),
            options: EngineOptions(parallelism: 3, minPollInterval: .milliseconds(1)))
        var yaml =
            "tasks:\n  t: {type: echo, inputs: {x: integer}, outputs: {x: integer}, config: {delay_ms: 20}}\nworkflows:\n  w:\n    nodes:\n"
        for i in 0..<12 { yaml += "      - {id: n\(i), task: t, inputs: {x: \(i)}}\n" }
        let spec = try #require(Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/v.yaml").spec)
        final class Peak: @unchecked Sendable {
            let lock = NSLock()
            var current = 0, peak = 0
        }
        let p = Peak()
        let e = try await engine.run(spec, workflow: "w", inputs: [:], project: "p", domain: "d") { event in
            p.lock.withLock {
                switch event {
                case .nodeStarted:
                    p.current += 1
                    p.peak = max(p.peak, p.current)
                case .nodeFinished: p.current -= 1
                default: break
                }
            }
        }
        #expect(e.phase == .succeeded)
        #expect(p.peak == 3)  // twelve independent nodes, three at a time
    }
}

/// Issue 15, defect 2, across machines: a lease held by a process elsewhere (another boot) is respected
/// until it expires, then taken over.
@Suite(.timeLimit(.minutes(5))) struct ExecutionLeaseTests {
    /// A page's summaries read its running executions' leases in one query (`leases`) and show the same
    /// driver and status as views built one by one: live holder, expired holder (orphaned), none, finished.
    @Test(arguments: StoreKind.all) func summariesShowTheDriversOfAPageInOneRead(kind: StoreKind) throws {
        let store = try kind.store("summaries")
        let worker = LeaseHolder(host: "other", bootID: "b", pid: 7, processStart: 1, role: "aloft worker")
        for (id, phase) in [
            ("live", ExecutionRecord.Phase.running), ("gone", .running), ("none", .running),
            ("done", .succeeded),
        ] {
            try store.createExecution(
                ExecutionRecord(id: id, project: "p", domain: "d", workflow: "w", spec: [], inputs: [:], phase: phase))
        }
        #expect(try store.acquireLease("execution/live", holder: worker, until: Date().addingTimeInterval(60)) == nil)
        #expect(try store.acquireLease("execution/gone", holder: worker, until: Date().addingTimeInterval(-1)) == nil)
        #expect(try store.acquireLease("execution/done", holder: worker, until: Date().addingTimeInterval(60)) == nil)
        #expect(
            try Set(store.leases(["execution/live", "execution/gone", "execution/x"]).map(\.name)) == [
                "execution/live", "execution/gone",
            ])
        #expect(try store.leases([]).isEmpty)
        let records = try ["live", "gone", "none", "done"].map { try #require(try store.execution(id: $0)) }
        let summaries = try ExecutionView.summaries(records, store: store)
        #expect(try summaries == records.map { try ExecutionView($0, store: store, nodes: false) })
        #expect(
            summaries.map(\.status) == ["running", "orphaned (no live owner)", "orphaned (no live owner)", "succeeded"])
        #expect(summaries[0].driver == worker.description && summaries[3].driver == nil)
    }

    @Test(arguments: StoreKind.all) func aLeaseHeldElsewhereBlocksResumeUntilItExpires(kind: StoreKind) async throws {
        let store = try kind.store("lease")
        let elsewhere = LeaseHolder(
            host: "other-machine", bootID: "another-boot", pid: 4242, processStart: 1, role: "aloft worker")
        #expect(try store.acquireLease("execution/e1", holder: elsewhere, until: Date().addingTimeInterval(60)) == nil)
        let me = LeaseHolder.current(role: "aloft resume")
        let blocking = try #require(
            try store.acquireLease("execution/e1", holder: me, until: Date().addingTimeInterval(60)))
        #expect(blocking.holder == elsewhere)
        #expect(try store.liveDriver(of: "e1") == elsewhere)
        // Its heartbeats stop: once expired, the lease is taken over and the other holder cannot renew it.
        #expect(try store.renewLease("execution/e1", holder: elsewhere, until: Date().addingTimeInterval(-1)))
        #expect(try store.liveDriver(of: "e1") == nil)
        #expect(try store.acquireLease("execution/e1", holder: me, until: Date().addingTimeInterval(60)) == nil)
        #expect(try !store.renewLease("execution/e1", holder: elsewhere, until: Date().addingTimeInterval(60)))
        #expect(try store.liveDriver(of: "e1") == me)
    }

    @Test(arguments: StoreKind.all) func aHolderThatDiedOnThisMachineIsKnownDeadAtOnce(kind: StoreKind) throws {
        let store = try kind.store("lease")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        var dead = LeaseHolder.current(role: "aloft run")
        dead.pid = p.processIdentifier
        #expect(try store.acquireLease("execution/e2", holder: dead, until: Date().addingTimeInterval(600)) == nil)
        #expect(try store.liveDriver(of: "e2") == nil)
        #expect(
            try store.acquireLease(
                "execution/e2", holder: LeaseHolder.current(role: "aloft resume"), until: Date().addingTimeInterval(60))
                == nil)
    }

    /// Workflow `w`: one echo node `n` (x in, x out), its task configured with `config`.
    static func oneNode(config: String = "{}") throws -> CompiledSpec {
        let compiled = Compiler(resolver: AnyTaskType()).compile(
            text: """
                tasks:
                  t: {type: echo, inputs: {x: integer}, outputs: {x: integer}, config: \(config)}
                workflows:
                  w:
                    inputs: {x: integer}
                    nodes: [{id: n, task: t, inputs: {x: $inputs.x}}]
                """, path: "/virtual/spec.yaml")
        return try #require(compiled.spec, "\(compiled.diagnostics)")
    }

    /// The process that drove an execution may end it between resume's first read and the lease: resume reads
    /// it again under the lease and returns it as it ended, running nothing (nodes run again after an abort
    /// would undo the abort).
    @Test func aResumeThatGetsTheLeaseAfterTheExecutionEndedRunsNothing() async throws {
        let host = try await Fixtures.host(directory: Fixtures.directory(["c-echo": "libc_echo.so"]))
        defer { host.shutdown() }
        let root = NSTemporaryDirectory() + "aloft-engine-\(UUID())"
        let sqlite = try SQLiteMetadataStore(path: root + "/metadata.sqlite")
        // Just before this process takes the lease, the driver before it aborts the execution and lets it go.
        let store = HookedStore(
            sqlite,
            beforeAcquire: { name in
                guard name == "execution/late" else { return }
                try sqlite.finishExecution(id: "late", phase: .aborted, outputs: nil, error: "aborted elsewhere")
            })
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: root + "/blobs"),
            options: EngineOptions(minPollInterval: .milliseconds(1)))
        let spec = try Self.oneNode()
        let (record, _) = try ExecutionEngine.newExecution(
            spec, workflow: "w", inputs: ["x": .integer(1)], project: "p", domain: "development", id: "late")
        try sqlite.createExecution(record)
        let resumed = try await engine.resume("late")
        #expect(resumed.phase == .aborted)
        #expect(resumed.error == "aborted elsewhere")
        #expect(try sqlite.nodes(execution: "late").isEmpty)
        #expect(try sqlite.lease("execution/late")?.isLive != true)
    }

    /// A run whose lease another process took over (this one stood still for longer than the lease) stops when
    /// its heartbeat finds out, without touching the execution: no abort or finalize of its task (the other
    /// process's now), no write, the execution left running, and the run ends saying who has it.
    @Test func aRunWhoseLeaseWasTakenOverStopsWithoutTouchingItsTasks() async throws {
        _ = try await runTakenOver("taken", ttl: .milliseconds(900), delayMs: 60000)
    }

    /// The store itself refuses a write of a run whose lease another process took over, in the write's own
    /// transaction, before the heartbeat (here 200 s away) can notice: the task it polled to its end is
    /// neither finalized nor marked done by it (the other process's now), the execution is not ended, and the
    /// run ends saying who has it. (A worker starved of CPU past its lease did all of that before its heartbeat
    /// ran, and marked executions another worker was driving failed.)
    @Test func aWriteAfterTheLeaseWasTakenOverIsRefusedBeforeTheHeartbeatNotices() async throws {
        let after = try await runTakenOver("fenced", ttl: .seconds(600), delayMs: 1500)
        #expect(after < .seconds(60), "the run ended only when its heartbeat noticed")
    }

    /// Runs execution `id`, one C echo node taking `delayMs`, under a lease of `ttl`; once the task is
    /// submitted, takes the lease over as another process would after this one stood still past it (expired,
    /// then taken), and checks that the run stopped without touching the execution. How long the run went on
    /// after the takeover.
    private func runTakenOver(_ id: String, ttl: Duration, delayMs: Int) async throws -> Duration {
        let (host, journal) = try await Fixtures.journaledEcho()
        defer { host.shutdown() }
        let root = NSTemporaryDirectory() + "aloft-engine-\(UUID())"
        let store = try SQLiteMetadataStore(path: root + "/metadata.sqlite")
        var options = EngineOptions(minPollInterval: .milliseconds(1))
        options.leaseTTL = ttl
        options.role = "aloft test-driver"
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: root + "/blobs"), options: options)
        let spec = try Self.oneNode(config: "{delay_ms: \(delayMs)}")
        let running = Task {
            try await engine.run(
                spec, workflow: "w", inputs: ["x": .integer(1)], project: "p", domain: "development", id: id)
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while try store.nodes(execution: id).first?.resourceState == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(journal.lines.count == 1, "\(journal.lines)")
        let me = LeaseHolder.current(role: "aloft test-driver")
        let elsewhere = LeaseHolder(
            host: "other-machine", bootID: "another-boot", pid: 4242, processStart: 1, role: "aloft worker")
        // (A heartbeat between the two steps renews the lease again: then once more.)
        while try store.acquireLease("execution/" + id, holder: elsewhere, until: Date().addingTimeInterval(600))
            != nil,
            ContinuousClock.now < deadline
        {
            _ = try store.renewLease("execution/" + id, holder: me, until: Date().addingTimeInterval(-1))
        }
        let takenOver = ContinuousClock.now
        do {
            _ = try await running.value
            Issue.record("the run went on after losing its lease")
        } catch let failure as ExecutionEngine.Failure {
            #expect(failure.lostLeaseTo == elsewhere.description)
            #expect(failure.message.hasPrefix("lost the lease of execution \(id) to \(elsewhere)"), "\(failure)")
        }
        let after = ContinuousClock.now - takenOver
        #expect(try store.execution(id: id)?.phase == .running)
        #expect(try store.nodes(execution: id).map(\.state.phase) == [.running])
        #expect(
            journal.lines.filter { $0.hasPrefix("abort ") || $0.hasPrefix("finalize ") }.isEmpty, "\(journal.lines)")
        #expect(try store.lease("execution/" + id)?.holder == elsewhere)
        return after
    }
}
