import AloftCompiler
import AloftEngine
import AloftWire
import Foundation
import Logging
import PluginHost

/// `isolation: process` against in-process, same run, same plugin (the C echo): the cost of one submit +
/// poll round trip, one at a time, and a chain of echo tasks through the engine with durable state on.
enum IsolationBench {
    static func host(isolated: Bool) async throws -> PluginHost {
        let cEcho = try ABIRoundTrip.buildCEcho()
        let dir = Scratch.directory("aloft-bench-isolation")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: cEcho, toPath: dir + "/libc_echo.so")
        var config = HostConfiguration()
        config.searchBuiltin = false
        if isolated { config.isolation["*"] = IsolationSettings(mode: .process) }
        let host = await PluginHost.start(
            configuration: config, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
            directories: [PluginDirectory(path: dir, origin: .config)])
        let echo = try host.plugin(forTaskType: "echo").get()
        precondition(echo.isIsolated == isolated, "echo did not load \(isolated ? "isolated" : "in-process")")
        return host
    }

    static func run(iterations: Int, chain: Int) async throws {
        print("Isolation: the C echo plugin in-process and in one runner process (isolation: process), same run.")
        print(
            "Round trip: submit + poll of a task with one integer input and output, one at a time, \(iterations) after warm-up."
        )
        print("Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; release build.\n")
        var medians: [Bool: Double] = [:]
        for isolated in [false, true, false, true] {
            let host = try await host(isolated: isolated)
            let echo = try host.plugin(forTaskType: "echo").get()
            var s = Samples()
            for i in 0..<(iterations + 2_000) {
                var task = TaskInvocation(context: ABIRoundTrip.context(i))
                let t0 = now()
                task.state = try await echo.submit(task)
                let outcome = try await echo.poll(task)
                if i >= 2_000 { s.add(now() - t0) }
                precondition(outcome.outputs?["x"] == Literal.integer(Int64(i)))
            }
            host.shutdown()
            print("\(isolated ? "isolated  " : "in-process") \(s.summary)")
            medians[isolated] = s.percentile(0.5)
            reportJSON(
                workload: isolated ? "roundtrip-isolated" : "roundtrip-in-process", n: iterations,
                seconds: s.percentile(0.5) * Double(iterations) / 1e6)
        }
        let (inProcess, isolated) = (medians[false]!, medians[true]!)
        print(
            String(
                format: "isolated median %.1f µs; target ≤ 2 × %.1f + 20 = %.1f µs: %@\n", isolated, inProcess,
                2 * inProcess + 20,
                isolated <= 2 * inProcess + 20 ? "met" : "MISSED"))

        var yaml =
            "tasks:\n  t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}\nworkflows:\n  w:\n    nodes:\n      - {id: n0, task: t, inputs: {x: 1}}\n"
        for i in 1..<chain { yaml += "      - {id: n\(i), task: t, inputs: {x: $n\(i - 1).x}}\n" }
        let spec = Compiler().compile(text: yaml, path: "/tmp/chain.yaml").spec!
        print("Chain of \(chain) echo tasks through the engine, durable state on (SQLite, WAL):")
        // The first run in a process pays for warming up (SQLite, the allocator, the first store): not measured.
        for (round, isolated) in [false, false, true, false, true].enumerated() {
            let host = try await host(isolated: isolated)
            let engine = try EngineBench.engine(host)
            let t0 = now()
            let e = try await engine.run(spec, workflow: "w", inputs: [:], project: "bench", domain: "development")
            let elapsed = Double(now() - t0) / 1e9
            precondition(e.phase == .succeeded, e.error ?? "")
            host.shutdown()
            if round == 0 { continue }
            print(
                String(
                    format: "%@ total %.2f s   per node %.1f µs", isolated ? "isolated  " : "in-process", elapsed,
                    elapsed / Double(chain) * 1e6))
            reportJSON(workload: isolated ? "chain-isolated" : "chain-in-process", n: chain, seconds: elapsed)
        }
        print(String(format: "\npeak RSS %.1f MB (the host; each runner is a process of its own)", peakRSSMegabytes()))
    }
}
