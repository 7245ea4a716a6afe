import AloftWire
import Foundation
import Logging
import PluginHost

/// `aloft-bench`: Aloft's benchmarks. Build and run in release mode:
///
///     swift build -c release --product aloft-bench && .build/release/aloft-bench abi-roundtrip
///
/// Benchmarks print their workload, their figures and the peer they are compared with. They are never
/// part of the test suite.
@main
enum AloftBench {
    static func main() async throws {
        let args = Array(CommandLine.arguments.dropFirst())
        defer { Scratch.removeAll() }
        switch args.first {
        case "abi-roundtrip":
            try await ABIRoundTrip.run(iterations: Int(args.dropFirst().first ?? "") ?? 200_000)
        case "chain":
            try await EngineBench.chain(nodes: Int(args.dropFirst().first ?? "") ?? 10_000)
        case "map":
            try await EngineBench.map(items: Int(args.dropFirst().first ?? "") ?? 100_000)
        case "process":
            try await ProcessBench.run(tasks: Int(args.dropFirst().first ?? "") ?? 200)
        case "cached-chain":
            try await EngineBench.cachedChain(nodes: Int(args.dropFirst().first ?? "") ?? 100)
        case "sagemaker":
            try await SagemakerBench.run(jobs: Int(args.dropFirst().first ?? "") ?? 10_000)
        case "bigquery":
            try await BigQueryBench.run(jobs: Int(args.dropFirst().first ?? "") ?? 10_000)
        case "hive": try await HiveBench.run(queries: Int(args.dropFirst().first ?? "") ?? 50)
        case "hive-inside":
            try await HiveBench.inside(
                queries: Int(args.dropFirst().first ?? "") ?? 50, dir: args.dropFirst(2).first ?? "/tmp")
        case "spark":
            try await SparkBench.run(jobs: Int(args.dropFirst().first ?? "") ?? 5)
        case "isolation":
            try await IsolationBench.run(iterations: Int(args.dropFirst().first ?? "") ?? 20_000, chain: 1_000)
        case "transitions":
            try await TransitionsBench.run(executions: Int(args.dropFirst().first ?? "") ?? 300)
        case "recovery":
            let leases = args.dropFirst().compactMap(Double.init)
            try RecoveryBench.run(leases: leases.isEmpty ? [2, 5, 10] : leases)
        case "compile":
            CompileBench.run(nodes: Int(args.dropFirst().first ?? "") ?? 10_000, repeats: 7)
        default:
            print(
                """
                usage: aloft-bench abi-roundtrip [ITERATIONS]
                       aloft-bench compile [NODES]
                       aloft-bench chain [NODES]
                       aloft-bench map [ITEMS]
                       aloft-bench process [TASKS]
                       aloft-bench cached-chain [NODES]
                       aloft-bench sagemaker [JOBS]
                       aloft-bench spark [JOBS]
                       aloft-bench isolation [ITERATIONS]
                       aloft-bench transitions [EXECUTIONS]
                       aloft-bench recovery [LEASE_SECONDS ...]
                  (--json: also one JSON line per measurement, for scripts/bench-compare.sh)
                  abi-roundtrip  submit + poll of the echo plugins, encoding included
                  compile        compile a generated workflow (default 10,000 nodes)
                  chain          run a chain of echo tasks with durable state (default 10,000)
                  map            run a map node over echo tasks with durable state (default 100,000 items)
                  process        /bin/true tasks on the process backend against a shell loop (default 200)
                  cached-chain   a chain of cached echo tasks, cold then warm on one store (default 100)
                  sagemaker      training jobs tracked at once against moto_server, beside boto3 (default 10,000)
                  isolation      round trips and a 1,000-node chain, in-process against isolation: process
                  transitions    node transitions/s into SQLite and PostgreSQL (ALOFT_BENCH_POSTGRES) by 1, 2, 4 workers
                  recovery       seconds from a worker's SIGKILL to another taking its execution over, per lease time
                  spark          PySpark jobs through Aloft's local backend beside bare spark-submit (default 5 each)
                """)
        }
    }
}

enum ABIRoundTrip {
    static func context(_ i: Int) -> TaskContext {
        let identity = ExecutionIdentity(
            project: "bench", domain: "development", execution: "ex", node: "n\(i % 1000)", attempt: 0)
        return TaskContext(
            taskExecutionID: TaskExecutionID.make(identity), identity: identity,
            task: TaskTemplate(
                name: "echo", version: "1", type: "echo",
                interface: TaskInterface(inputs: ["x": .integer], outputs: ["x": .integer])),
            inputs: ["x": .integer(Int64(i))], outputPrefix: "file:///tmp/bench/")
    }

    /// Runs `body` on a dedicated thread (never the cooperative pool) and waits for it.
    static func onHostThread(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let t = Thread {
                body()
                c.resume()
            }
            t.stackSize = 8 << 20
            t.start()
        }
    }

    static func run(iterations: Int) async throws {
        let cEcho = try buildCEcho()
        let swiftEcho = PluginSearchPath.executableDirectory()! + "/libAloftPluginEcho.so"
        print("ABI round trip: submit + poll of an echo task with one integer input and one integer output,")
        print(
            "encoding of the task context and decoding of the outputs included. \(iterations) iterations after warm-up."
        )
        print(
            "Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; \(ProcessInfo.processInfo.operatingSystemVersionString)\n"
        )

        let floor = Samples.box()
        await onHostThread {
            var s = Samples()
            for i in 0..<(iterations + 10_000) {
                let ctx = context(i)
                let t0 = now()
                let bytes = ctx.encoded()
                let outputs = ["x": ctx.inputs["x"]!].canonicalBytes
                _ = try! LiteralMap(bytes: outputs)
                _ = bytes.count
                if i >= 10_000 { s.add(now() - t0) }
            }
            floor.value = s
        }
        print("peer  encode + decode only (no plugin call)  \(floor.value.summary)")

        for (name, path) in [("C echo    ", cEcho), ("Swift echo", swiftEcho)] {
            let raw = RawPlugin(path: path)
            let box = Samples.box()
            await onHostThread {
                var s = Samples()
                for i in 0..<(iterations + 10_000) {
                    let ctx = context(i)
                    let t0 = now()
                    let out = raw.roundTrip(ctx)
                    if i >= 10_000 { s.add(now() - t0) }
                    precondition(out["x"] == .integer(Int64(i)))
                }
                box.value = s
            }
            print("direct \(name) (minimal C host, one thread)   \(box.value.summary)")
        }

        // Through Aloft's host: the plugin's own threads, the task's lane, the call budget watchdog.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-bench-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: dir + "/libc_echo.so")
        try FileManager.default.copyItem(atPath: cEcho, toPath: dir + "/libc_echo.so")
        var config = HostConfiguration()
        config.searchBuiltin = false
        let host = await PluginHost.start(
            configuration: config, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
            directories: [PluginDirectory(path: dir, origin: .config)])
        let echo = try host.plugin(forTaskType: "echo").get()
        let hostIterations = min(iterations, 50_000)
        var s = Samples()
        for i in 0..<(hostIterations + 2_000) {
            var task = TaskInvocation(context: context(i))
            let t0 = now()
            task.state = try await echo.submit(task)
            let outcome = try await echo.poll(task)
            if i >= 2_000 { s.add(now() - t0) }
            precondition(outcome.outputs?["x"] == Literal.integer(Int64(i)))
        }
        print("host   C echo     (Aloft host: own threads, lane, budget)  \(s.summary)")
        host.shutdown()
        print(String(format: "\npeak RSS %.1f MB", peakRSSMegabytes()))
    }

    static func buildCEcho() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-bench-c-echo-\(getpid()).so")
            .path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "cc", "-std=c11", "-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-I",
            root + "/Sources/PluginABI/include",
            root + "/examples/plugins/c-echo/echo.c", "-o", out, "-lpthread",
        ]
        try p.run()
        p.waitUntilExit()
        precondition(p.terminationStatus == 0, "cc failed")
        return out
    }
}

extension Samples {
    final class Box: @unchecked Sendable { var value = Samples() }
    static func box() -> Box { Box() }
}
