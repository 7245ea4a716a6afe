import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The standalone backend against a real master and worker on 127.0.0.1 (one cluster per test run): the
/// driver runs in cluster mode on the worker, submitted, observed and killed through the master's REST server.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SparkStandaloneTests {
    static func harness() async throws -> SparkHarness {
        let cluster = try SparkPeer.cluster()
        return try await SparkHarness.make(config: [
            "backend": .string("standalone"), "master": .string(cluster.master), "rest_url": .string(cluster.restURL),
            "master_ui": .string(cluster.masterUI),
        ])
    }

    @Test func aJobRunsOnTheClusterAndReturnsItsOutputs() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let journal = h.dir + "/journal"
        let e = try await h.run(
            datasetSpec(job: try h.job("prepare.py", datasetJob), journal: journal),
            inputs: ["n": .integer(250), "label": .string("on the cluster")])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try h.node(e)
        #expect(a.outputs?["count"] == .integer(250))
        #expect(a.outputs?["label"] == .string("on the cluster"))
        // The driver ran on the worker (its directory there), submitted once.
        let stateBytes = try #require(a.resourceState)
        let state = try JSONParser.parse(stateBytes)
        let driver = try #require(state["submission"]?.stringValue)
        #expect(driver.hasPrefix("driver-"))
        #expect(FileManager.default.fileExists(atPath: try SparkPeer.cluster().workerDirectory + "/" + driver))
        #expect(try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").count == 1)
    }

    @Test func aFailedDriverIsAUserErrorWithItsLastErrorFromTheWorker() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let job = try h.job("fail.py", "import sys\nraise RuntimeError('bad row %s' % sys.argv[1])\n")
        let e = try await h.run(
            """
            tasks:
              t: {type: pyspark, inputs: {n: integer}, outputs: {n: integer}, config: {application: \(job), args: ["{{inputs.n}}"]}}
            workflows:
              w: {inputs: {n: integer}, nodes: [{id: a, task: t, inputs: {n: $inputs.n}}]}
            """, inputs: ["n": .integer(17)])
        #expect(e.phase == .failed)
        let error = try #require(try h.node(e).state.lastError)
        #expect(error.kind == .user && error.code == .plugin("SparkJobFailed"))
        #expect(error.message.contains("RuntimeError: bad row 17"), "\(error.message)")
    }

    @Test func abortKillsTheDriverOnTheCluster() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let started = h.dir + "/started"
        let job = try h.job(
            "forever.py",
            """
            import time
            from pyspark.sql import SparkSession
            spark = SparkSession.builder.getOrCreate()
            open("\(started)", "w").write("yes")
            time.sleep(300)
            """)
        let id = ExecutionID.make()
        let run = Task {
            try await h.run(
                """
                tasks:
                  t: {type: pyspark, outputs: {n: integer}, config: {application: \(job)}}
                workflows:
                  w: {nodes: [{id: a, task: t}]}
                """, id: id)
        }
        for _ in 0..<1800 where !FileManager.default.fileExists(atPath: started) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(FileManager.default.fileExists(atPath: started), "the driver never started")
        try h.store.requestAbort(id: id)
        let e = try await run.value
        #expect(e.phase == .aborted)
        // The master says the driver was killed.
        let state = try #require(try h.node(e).resourceState)
        let driver = try #require(try JSONParser.parse(state)["submission"]?.stringValue)
        let cluster = try SparkPeer.cluster()
        let status = SparkPeer.waitFor(cluster.restURL + "/v1/submissions/status/" + driver, seconds: 30) {
            ($0["driverState"] as? String) == "KILLED"
        }
        #expect(status != nil, "driver \(driver) was not killed")
    }
}
