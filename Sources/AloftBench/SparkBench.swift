import AloftCompiler
import AloftEngine
import AloftWire
import Foundation
import PluginHost

/// Host and plugin overhead per Spark job, beside a bare `spark-submit` of the same job in the same run:
/// a PySpark job (count 100,000 rows, write outputs.json) run N times each way, alternating, on the local
/// backend. Reports the wall time of each (median), the host's own CPU while Aloft's jobs ran (its share of
/// one core), and the cost of the plugin's calls measured directly: submit (inputs.json, spawn) and poll of
/// a running job (process check plus the driver's progress API).
enum SparkBench {
    static let job = """
        import json, os, sys
        from pyspark.sql import SparkSession
        spark = SparkSession.builder.getOrCreate()
        n = spark.range(int(sys.argv[1])).count()
        json.dump({"n": n}, open(os.path.join(sys.argv[2], "outputs.json"), "w"))
        spark.stop()
        """

    static func sparkHome() throws -> String {
        let peers = ProcessInfo.processInfo.environment["ALOFT_PEERS"] ?? NSHomeDirectory() + "/.cache/aloft-peers"
        for v in ((try? FileManager.default.contentsOfDirectory(atPath: peers + "/spark/lib")) ?? []).sorted()
            .reversed()
        {
            let home = "\(peers)/spark/lib/\(v)/site-packages/pyspark"
            if FileManager.default.fileExists(atPath: home + "/bin/spark-submit") { return home }
        }
        throw BenchError("pyspark is not installed under \(peers)/spark: run `bash scripts/setup.sh`")
    }

    static func run(jobs: Int) async throws {
        let home = try sparkHome()
        // VENV/lib/python3.X/site-packages/pyspark -> VENV/bin/python
        let venv = URL(fileURLWithPath: home).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().path
        let python = venv + "/bin/python"
        let dir = Scratch.directory("aloft-bench-spark")
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        try job.write(toFile: dir + "/job.py", atomically: true, encoding: .utf8)
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .path
        try FileManager.default.copyItem(
            atPath: exe + "/libAloftPluginSpark.so", toPath: dir + "/plugins/libAloftPluginSpark.so")
        var configuration = HostConfiguration()
        configuration.searchBuiltin = false
        configuration.pluginConfig["aloft.spark"] = .object([
            "spark_home": .string(home), "python": .string(python), "work_dir": .string(dir + "/work"),
            "poll_seconds": .float(1),
        ])
        let host = await PluginHost.start(
            configuration: configuration, directories: [PluginDirectory(path: dir + "/plugins", origin: .config)])
        defer { host.shutdown() }
        let store = try SQLiteMetadataStore(path: dir + "/metadata.sqlite")
        let engine = ExecutionEngine(host: host, store: store, blobs: try LocalBlobStore(root: dir + "/blobs"))
        let spec = """
            tasks:
              count:
                type: pyspark
                inputs: {n: integer}
                outputs: {n: integer}
                config: {application: \(dir)/job.py, args: ["{{inputs.n}}", "{{output_dir}}"]}
            workflows:
              w: {inputs: {n: integer}, nodes: [{id: a, task: count, inputs: {n: $inputs.n}}]}
            """
        let compiled = Compiler(resolver: PluginTaskTypeResolver(host: host)).compile(
            text: spec, path: dir + "/spec.yaml")
        guard let plan = compiled.spec else {
            throw BenchError("the benchmark's spec does not compile: \(compiled.diagnostics)")
        }

        print("workload: a PySpark job counting 100,000 rows (local[2]), \(jobs) runs each way, alternating")
        var bare: [Double] = [], aloft: [Double] = [], hostCPU: [Double] = []
        for i in 0..<jobs {
            let out = dir + "/bare-\(i)"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var started = Date()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: home + "/bin/spark-submit")
            p.arguments = [
                "--master", "local[2]", "--conf", "spark.ui.showConsoleProgress=false", dir + "/job.py", "100000", out,
            ]
            p.environment = [
                "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": python, "PATH": "/usr/bin:/bin", "HOME": dir,
            ]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            bare.append(Date().timeIntervalSince(started))

            started = Date()
            let cpu = SagemakerBench.ownCPUSeconds()
            let e = try await engine.run(
                plan, workflow: "w", inputs: ["n": .integer(100_000)], project: "bench", domain: "development",
                id: ExecutionID.make())
            guard e.phase == .succeeded else { throw BenchError("run \(i) ended \(e.phase): \(e.error ?? "")") }
            let wall = Date().timeIntervalSince(started)
            aloft.append(wall)
            hostCPU.append((SagemakerBench.ownCPUSeconds() - cpu) / wall)
            print(
                String(
                    format: "  run %d: bare spark-submit %.2f s, through aloft %.2f s, host CPU %.2f%% of a core",
                    i + 1, bare.last!, wall,
                    hostCPU.last! * 100))
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        print(String(format: "bare spark-submit      median %.3f s", median(bare)))
        print(
            String(
                format:
                    "through aloft          median %.3f s   (host adds %+.0f ms per job, median of the differences %+.0f ms)",
                median(aloft), (median(aloft) - median(bare)) * 1000, median(zip(aloft, bare).map { $0 - $1 }) * 1000))
        print(String(format: "host CPU while jobs ran median %.2f%% of one core (target ≤ 1%%)", median(hostCPU) * 100))
        try await callCosts(host: host, dir: dir)
    }

    /// Submit once, poll a running job repeatedly, abort: each call's cost as the host measures it.
    static func callCosts(host: PluginHost, dir: String) async throws {
        guard case .success(let plugin) = host.plugin(forTaskType: "pyspark") else {
            throw BenchError("no Spark plugin")
        }
        try
            "import time\nfrom pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\nspark.range(10).count()\ntime.sleep(60)\n"
            .write(toFile: dir + "/sleep.py", atomically: true, encoding: .utf8)
        let identity = ExecutionIdentity(
            project: "bench", domain: "development", execution: "calls", node: "a", attempt: 0)
        let context = TaskContext(
            taskExecutionID: "bench-spark-calls", identity: identity,
            task: TaskTemplate(
                name: "sleep", version: "1", type: "pyspark",
                config: .object(["application": .string(dir + "/sleep.py")])),
            inputs: [:], outputPrefix: "file://\(dir)/calls/")
        var task = TaskInvocation(context: context)
        var submit = Samples(), poll = Samples()
        let t0 = now()
        task.state = try await plugin.submit(task)
        submit.add(now() - t0)
        // Wait for the driver's UI, then time polls of the running job (each asks the UI for progress).
        var status = ""
        for _ in 0..<600 where !status.contains("jobs") {
            let outcome = try await plugin.poll(task)
            if let s = outcome.newState { task.state = s }
            status = outcome.statusMessage ?? ""
            try await Task.sleep(for: .milliseconds(100))
        }
        for _ in 0..<50 {
            let start = now()
            let outcome = try await plugin.poll(task)
            poll.add(now() - start)
            if let s = outcome.newState { task.state = s }
        }
        try await plugin.abort(task)
        try await plugin.finalize(task)
        print("submit (inputs.json, spawn spark-submit)      \(submit.summary)")
        print("poll of a running job (incl. progress API)    \(poll.summary)   last status: \(status)")
    }
}
