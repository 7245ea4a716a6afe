import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The local backend: spark-submit --master local[N] as a managed process, with real Spark.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SparkLocalTests {
    @Test func aPySparkJobReturnsATypedParquetDatasetAndScalars() async throws {
        let h = try await SparkHarness.make()
        defer { h.host.shutdown() }
        let journal = h.dir + "/journal"
        let spec = datasetSpec(job: try h.job("prepare.py", datasetJob), journal: journal)
        let e = try await h.run(spec, inputs: ["n": .integer(1000), "label": .string("pima")])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try h.node(e)
        #expect(a.outputs?["count"] == .integer(1000))
        #expect(a.outputs?["label"] == .string("pima"))
        guard case .dataset(let rows)? = a.outputs?["rows"] else {
            Issue.record("rows is not a dataset: \(String(describing: a.outputs))")
            return
        }
        #expect(rows.format == "parquet")
        let files = try FileManager.default.contentsOfDirectory(atPath: String(rows.uri.dropFirst("file://".count)))
        #expect(files.contains { $0.hasSuffix(".parquet") }, "\(files)")
        // The driver's logs are linked from the node, as `aloft executions show` prints them.
        #expect(a.logLinks.contains { $0.name == "driver stderr" && $0.uri.hasSuffix("/work/stderr.log") })
        #expect(try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").count == 1)
    }

    @Test func aFailingJobIsAUserErrorWithTheDriversLastError() async throws {
        let h = try await SparkHarness.make()
        defer { h.host.shutdown() }
        let job = try h.job(
            "fail.py",
            """
            from pyspark.sql import SparkSession
            spark = SparkSession.builder.getOrCreate()
            spark.range(3).count()
            raise ValueError("the column 'glucose' has 37 zeros")
            """)
        let e = try await h.run(
            """
            tasks:
              t: {type: spark, outputs: {n: integer}, config: {application: \(job)}}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """)
        #expect(e.phase == .failed)
        let error = try #require(try h.node(e).state.lastError)
        #expect(error.kind == .user)
        #expect(error.code == .plugin("SparkJobFailed"))
        #expect(error.message.contains("ValueError: the column 'glucose' has 37 zeros"), "\(error.message)")
        #expect(error.message.contains("Traceback"), "\(error.message)")
    }

    @Test func abortKillsSparkSubmitTheJVMAndThePythonDriver() async throws {
        let h = try await SparkHarness.make()
        defer { h.host.shutdown() }
        let marker = "aloft-abort-marker-\(UUID().uuidString.prefix(8))"
        let job = try h.job(
            "\(marker).py",
            """
            import time
            from pyspark.sql import SparkSession
            spark = SparkSession.builder.getOrCreate()
            time.sleep(300)
            """)
        let id = ExecutionID.make()
        let run = Task {
            try await h.run(
                """
                tasks:
                  t: {type: spark, outputs: {n: integer}, config: {application: \(job)}}
                workflows:
                  w: {nodes: [{id: a, task: t}]}
                """, id: id)
        }
        // Abort once the Python driver runs (spark-submit's JVM starts it): spark-submit, the JVM and Python.
        let python = { SparkHarness.processes(containing: marker, command: "python") }
        for _ in 0..<1800 where python() == 0 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(python() > 0, "the Python driver never started")
        try h.store.requestAbort(id: id)
        let e = try await run.value
        #expect(e.phase == .aborted)
        for _ in 0..<100 where SparkHarness.processes(containing: marker) > 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(SparkHarness.processes(containing: marker) == 0, "a process of the job survived the abort")
    }

    @Test func badDeclarationsAreCompileErrorsAtTheirPlace() async throws {
        let h = try await SparkHarness.make()
        defer { h.host.shutdown() }
        let job = try h.job("ok.py", "print('never runs')\n")
        let r = h.compile(
            """
            tasks:
              t:
                type: spark
                inputs: {n: integer}
                outputs: {n: integer}
                config:
                  application: \(job)
                  backend: yarn
                  spark_conf: {spark.executor.memory: [2g]}
                  args: ["{{inputs.m}}"]
                  executor: {memory: lots}
              missing:
                type: spark
                config: {application: \(h.dir)/nowhere.py}
            workflows:
              w: {nodes: [{id: a, task: t, inputs: {n: 1}}, {id: b, task: missing}]}
            """)
        #expect(r.spec == nil)
        let messages = r.diagnostics.map(\.description)
        let path = h.dir + "/spec.yaml"
        #expect(
            messages.contains { $0.hasPrefix("\(path):8:16:") && $0.contains("unknown Spark backend \"yarn\"") },
            "\(messages)")
        #expect(
            messages.contains {
                $0.hasPrefix("\(path):9:43:") && $0.contains("spark_conf \"spark.executor.memory\" must be a string")
            }, "\(messages)")
        #expect(
            messages.contains { $0.hasPrefix("\(path):10:15:") && $0.contains("{{inputs.m}} names no input") },
            "\(messages)")
        #expect(
            messages.contains { $0.hasPrefix("\(path):11:26:") && $0.contains("executor memory must read like 512m") },
            "\(messages)")
        #expect(
            messages.contains { $0.hasPrefix("\(path):14:27:") && $0.contains("nowhere.py does not exist") },
            "\(messages)")
        #expect(r.diagnostics.count == 5, "\(messages)")
    }

    @Test func anUnreachableMasterIsARetryableSystemErrorNamingItsAddress() async throws {
        let port = SparkPeer.freePort()
        let h = try await SparkHarness.make(config: [
            "master": .string("spark://127.0.0.1:\(port)"), "rest_url": .string("http://127.0.0.1:\(port)"),
        ])
        defer { h.host.shutdown() }
        let job = try h.job("never.py", "print('never runs')\n")
        let e = try await h.run(
            """
            tasks:
              t: {type: spark, outputs: {n: integer}, config: {application: \(job), backend: standalone}}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """)
        #expect(e.phase == .failed)
        let error = try #require(try h.node(e).state.lastError)
        #expect(error.kind == .system)
        #expect(error.retryable)
        #expect(error.code == .plugin("MasterUnreachable"))
        #expect(error.message.contains("127.0.0.1:\(port)"), "\(error.message)")
    }
}
