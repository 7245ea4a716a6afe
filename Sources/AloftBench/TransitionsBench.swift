import AloftCompiler
import AloftEngine
import AloftWire
import Foundation
import PluginHost
import Synchronization

/// `aloft-bench transitions [EXECUTIONS]`: node transitions per second (node records committed) when
/// workers share a store. EXECUTIONS executions (default 300) of a workflow of 20 independent echo nodes are
/// queued, then drained by in-process workers (each with its own engine and its own store connection, as
/// separate `aloft worker` processes would have): SQLite with one worker, then PostgreSQL
/// (ALOFT_BENCH_POSTGRES=postgres://USER@HOST:PORT/DB, password from PGPASSWORD) with 1, 2 and 4 workers.
enum TransitionsBench {
    static let nodes = 20

    static func run(executions: Int) async throws {
        var yaml = "tasks:\n  t: {type: \(EngineBench.echoType), inputs: {x: integer}, outputs: {x: integer}}\n"
        yaml += "workflows:\n  w:\n    nodes:\n"
        for i in 0..<nodes { yaml += "      - {id: n\(i), task: t, inputs: {x: \(i)}}\n" }
        let spec = Compiler().compile(text: yaml, path: "/tmp/transitions.yaml").spec!
        let host = try await EngineBench.host()
        defer { host.shutdown() }
        print(
            "\(executions) executions of \(nodes) independent \(EngineBench.echoType) nodes, workers of concurrency 16, release build."
        )
        let root = Scratch.directory("aloft-bench-transitions")
        let sqlite = root + "/metadata.sqlite"
        try await measure("SQLite, one process", workers: 1, executions: executions, spec: spec, host: host, root: root)
        {
            try SQLiteMetadataStore(path: sqlite)
        }
        guard let url = ProcessInfo.processInfo.environment["ALOFT_BENCH_POSTGRES"] else {
            print("PostgreSQL: skipped (set ALOFT_BENCH_POSTGRES=postgres://USER@HOST:PORT/DB and PGPASSWORD)")
            return
        }
        for workers in [1, 2, 4] {
            try await measure(
                "PostgreSQL, \(workers) worker(s)", workers: workers, executions: executions, spec: spec, host: host,
                root: root
            ) { try PostgresStore(url: url) }
        }
    }

    private static func measure(
        _ label: String, workers count: Int, executions: Int, spec: CompiledSpec, host: PluginHost, root: String,
        open: () throws -> any MetadataStore
    ) async throws {
        let queue = try open()
        let (template, _) = try ExecutionEngine.newExecution(
            spec, workflow: "w", inputs: [:], project: "bench", domain: "development", id: "template")
        for i in 0..<executions {
            var e = template
            e.id = ExecutionID.make() + "-\(i)"
            try queue.enqueue(e)
        }
        let blobs = try LocalBlobStore(root: root + "/blobs")
        let ended = Atomic<Int>(0)
        var counters: [CountingStore] = []
        var workers: [Worker] = []
        for w in 0..<count {
            let store = try open()
            let counting = CountingStore(store)
            var options = EngineOptions(parallelism: 64, overallParallelism: 256, minPollInterval: .microseconds(100))
            options.role = "aloft-bench worker \(w)"
            let engine = ExecutionEngine(host: host, store: counting, blobs: blobs, options: options)
            counters.append(counting)
            workers.append(
                Worker(
                    engine: engine, store: store,
                    options: Worker.Options(concurrency: 16, pollInterval: .milliseconds(20)),
                    log: { line in
                        if line.hasPrefix("succeeded: ") || line.hasPrefix("failed: ") {
                            ended.add(1, ordering: .relaxed)
                        }
                    }))
        }
        let t0 = now()
        let running = workers.map { w in Task { await w.run() } }
        while ended.load(ordering: .relaxed) < executions { try await Task.sleep(for: .milliseconds(5)) }
        let elapsed = Double(now() - t0) / 1e9
        for w in workers { w.drain() }
        for r in running { _ = await r.value }
        let transitions = counters.reduce(0) { $0 + $1.transitions }
        print(
            String(
                format: "%@: %d transitions in %.2f s = %.0f transitions/s (%.0f nodes/s)   target ≥ 10,000/s",
                label, transitions, elapsed, Double(transitions) / elapsed,
                Double(executions * nodes) / elapsed))
        reportJSON(workload: "transitions-\(label)", n: transitions, seconds: elapsed)
    }
}
