import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The Spark plugin, loaded from its own shared library like any plugin, driven by the engine against real
/// Spark (pyspark from the peers venv): spark-submit locally, and a standalone master and worker.
struct SparkHarness {
    let host: PluginHost
    let engine: ExecutionEngine
    let store: SQLiteMetadataStore
    let dir: String

    static func make(config: [String: JSON] = [:]) async throws -> SparkHarness {
        let dir = NSTemporaryDirectory() + "aloft-spark-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Fixtures.buildDirectory + "/libAloftPluginSpark.so", toPath: dir + "/plugins/libAloftPluginSpark.so"
        )
        var pluginConfig: [String: JSON] = [
            "spark_home": .string(try SparkPeer.home()), "python": .string(try SparkPeer.python()),
            "poll_seconds": .float(0.2),
            "work_dir": .string(dir + "/work"),
        ]
        pluginConfig.merge(config) { _, given in given }
        let host = await Fixtures.host(directory: dir + "/plugins") {
            $0.pluginConfig["aloft.spark"] = .object(pluginConfig)
        }
        let store = try SQLiteMetadataStore(path: dir + "/metadata.sqlite")
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: dir + "/blobs"),
            options: EngineOptions(minPollInterval: .milliseconds(1), maxPollInterval: .milliseconds(200)))
        return SparkHarness(host: host, engine: engine, store: store, dir: dir)
    }

    /// Compiles against this host, so the plugin's own checks run as they do for `aloft run`.
    func compile(_ yaml: String) -> CompilationResult {
        Compiler(resolver: PluginTaskTypeResolver(host: host)).compile(text: yaml, path: dir + "/spec.yaml")
    }

    func run(_ yaml: String, inputs: LiteralMap = [:], id: String = ExecutionID.make()) async throws -> ExecutionRecord
    {
        let r = compile(yaml)
        let spec = try #require(r.spec, "\(r.diagnostics)")
        return try await engine.run(spec, workflow: "w", inputs: inputs, project: "p", domain: "development", id: id)
    }

    func node(_ e: ExecutionRecord, _ n: String = "a") throws -> NodeRecord {
        try #require(try store.nodes(execution: e.id).first { $0.node == n })
    }

    /// Writes a job file into the harness's directory; its path.
    func job(_ name: String, _ source: String) throws -> String {
        let path = dir + "/" + name
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Processes whose command line contains `text` (the job's marker), other than ourselves.
    /// With `command`, only processes whose executable's name starts with it (e.g. "python", "java").
    static func processes(containing text: String, command: String = "") -> Int {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return ids.filter { id in
            guard Int32(id) != nil, Int32(id) != getpid(),
                let cmd = FileManager.default.contents(atPath: "/proc/\(id)/cmdline")
            else { return false }
            let comm = (try? String(contentsOfFile: "/proc/\(id)/comm", encoding: .utf8)) ?? ""
            return String(decoding: cmd, as: UTF8.self).contains(text) && comm.hasPrefix(command)
        }.count
    }
}

/// A PySpark job that writes `rows` as Parquet into {{output_dir}}/rows (a typed dataset output) and its row
/// count and a label as outputs.json; it appends to a journal each time it starts.
let datasetJob = """
    import json, os, sys, time
    from pyspark.sql import SparkSession
    n, label, out, journal = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    with open(journal, "a") as f: f.write("start %s\\n" % os.environ["ALOFT_TASK_EXECUTION_ID"])
    spark = SparkSession.builder.getOrCreate()
    inputs = json.load(open(os.environ["ALOFT_INPUT_FILE"]))
    assert inputs["n"] == n, inputs
    delay = float(os.environ.get("JOB_DELAY", "0"))
    if delay: time.sleep(delay)
    df = spark.range(n).selectExpr("id", "id * 2 as doubled", "'%s' as label" % label.replace("'", ""))
    df.write.mode("overwrite").parquet(os.path.join(out, "rows"))
    json.dump({"rows": "rows", "count": df.count(), "label": label}, open(os.path.join(out, "outputs.json"), "w"))
    spark.stop()
    """

func datasetSpec(job: String, journal: String, extra: String = "") -> String {
    """
    tasks:
      prepare:
        type: pyspark
        inputs: {n: integer, label: string}
        outputs: {rows: dataset<parquet>, count: integer, label: string}
        config:
          application: \(job)
          args: ["{{inputs.n}}", "{{inputs.label}}", "{{output_dir}}", "\(journal)"]
          spark_conf: {spark.sql.shuffle.partitions: 2, spark.ui.enabled: "true"}
          driver: {memory: 512m}
          \(extra)
    workflows:
      w:
        inputs: {n: integer, label: string}
        outputs: {rows: {type: dataset<parquet>, from: $a.rows}, count: {type: integer, from: $a.count}}
        nodes: [{id: a, task: prepare, inputs: {n: $inputs.n, label: $inputs.label}}]
    """
}
