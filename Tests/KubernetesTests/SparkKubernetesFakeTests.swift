import AloftAWS
import AloftEngine
import AloftKubernetes
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The Spark plugin's `kubernetes` backend against the FAKE API server: the SparkApplication it makes, every
/// state of `.status.applicationState.state`, and abort. No Spark operator runs here: the test moves the
/// application's state and writes the outputs a driver would have.
@Suite(.timeLimit(.minutes(5))) struct SparkKubernetesFakeTests {
    static let spec = """
        tasks:
          count:
            type: pyspark
            inputs: {data: blob, n: integer}
            outputs: {rows: integer}
            config:
              application: local:///opt/jobs/count.py
              args: ["{{inputs.data}}", "{{inputs.n}}", "{{output_dir}}"]
              spark_conf: {spark.sql.shuffle.partitions: 4}
              hadoop_conf: {fs.s3a.path.style.access: "true"}
              driver: {cores: 1, memory: 1g}
              executor: {cores: 2, memory: 2g, instances: 3}
              env: {MODE: test}
        workflows:
          w:
            inputs: {data: blob}
            outputs: {rows: {type: integer, from: $a.rows}}
            nodes: [{id: a, task: count, inputs: {data: $inputs.data, n: 7}}]
        """

    static func start(_ h: KubeHarness) -> KubeHarness.Run {
        h.start(Self.spec, inputs: ["data": .blob(BlobValue(uri: "s3://\(h.bucket)/in/data.csv", type: BlobType()))])
    }

    static func state(_ s: String, error: String? = nil) -> JSON {
        var app: [String: JSON] = ["state": .string(s)]
        if let error { app["errorMessage"] = .string(error) }
        return .object(["applicationState": .object(app)])
    }

    @Test func theSparkApplicationCarriesTheJobAndCompletesWithOutputsFromS3() async throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let h = try await KubeHarness.make(fake: fake)
        defer { h.host.shutdown() }
        let run = Self.start(h)
        let app = try await fake.waitForObject(kind: "SparkApplication")
        #expect(app["apiVersion"] == .string("sparkoperator.k8s.io/v1beta2"))
        let name = try #require(app["metadata"]?["name"]?.stringValue)
        let spec = try #require(app["spec"])
        #expect(spec["type"] == .string("Python"))
        #expect(spec["mode"] == .string("cluster"))
        #expect(spec["image"] == .string("apache/spark:3.5.3"))
        #expect(spec["sparkVersion"] == .string("3.5.3"))
        #expect(spec["mainApplicationFile"] == .string("local:///opt/jobs/count.py"))
        #expect(spec["restartPolicy"]?["type"] == .string("Never"))
        let output = try #require(envValue(app, "ALOFT_OUTPUT_URI"))
        let s3aOut = "s3a://" + output.dropFirst("s3://".count).dropLast()
        #expect(
            spec["arguments"] == .array([.string("s3a://\(h.bucket)/in/data.csv"), .string("7"), .string(s3aOut)]))
        #expect(spec["sparkConf"]?["spark.sql.shuffle.partitions"] == .string("4"))
        #expect(spec["hadoopConf"]?["fs.s3a.path.style.access"] == .string("true"))
        #expect(spec["driver"]?["cores"] == .integer(1))
        #expect(spec["driver"]?["memory"] == .string("1g"))
        #expect(spec["executor"]?["instances"] == .integer(3))
        #expect(spec["executor"]?["memory"] == .string("2g"))
        #expect(envValue(app, "MODE") == "test")
        #expect(app["metadata"]?["labels"]?["aloft.io/node"] == .string("a"))
        for s in ["SUBMITTED", "RUNNING"] { try fake.drive("sparkapplications", name, status: Self.state(s)) }
        try h.putOutput(output, "outputs.json", #"{"rows": 7}"#)
        try fake.drive("sparkapplications", name, status: Self.state("COMPLETED"))
        let e = try await h.finish(run)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try h.node(e)
        #expect(a.outputs?["rows"] == .integer(7))
        #expect(a.logLinks.first?.uri == "\(fake.server)/api/v1/namespaces/default/pods/\(name)-driver/log")
    }

    @Test func failedAndSubmissionFailedAreUserErrorsWithTheOperatorsMessage() async throws {
        for (state, code) in [("FAILED", "SparkJobFailed"), ("SUBMISSION_FAILED", "SubmissionFailed")] {
            let fake = try FakeKubeAPI.start()
            defer { fake.stop() }
            let h = try await KubeHarness.make(fake: fake)
            defer { h.host.shutdown() }
            let run = Self.start(h)
            let app = try await fake.waitForObject(kind: "SparkApplication")
            let name = try #require(app["metadata"]?["name"]?.stringValue)
            try fake.drive("sparkapplications", name, status: Self.state(state, error: "driver pod failed: exit 1"))
            let e = try await h.finish(run)
            #expect(e.phase == .failed)
            let error = try #require(try h.node(e).state.lastError)
            #expect(error.code == .plugin(code))
            #expect(error.kind == .user)
            #expect(error.message.hasSuffix(": driver pod failed: exit 1"))
        }
    }

    @Test func abortDeletesTheSparkApplication() async throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let h = try await KubeHarness.make(fake: fake)
        defer { h.host.shutdown() }
        let run = Self.start(h)
        let app = try await fake.waitForObject(kind: "SparkApplication")
        try fake.drive(
            "sparkapplications", try #require(app["metadata"]?["name"]?.stringValue), status: Self.state("RUNNING"))
        try h.store.requestAbort(id: run.id)
        let e = try await h.finish(run)
        #expect(e.phase == .aborted)
        #expect(try await fake.waitForDeletion(kind: "SparkApplication"))
    }

    @Test func aPodTaskFeedsASparkTaskThroughTheFake() async throws {
        // Pods run by the fake's kubelet (the entrypoint, for real, against moto); the application moves by
        // itself (auto): SUBMITTED, RUNNING, COMPLETED.
        let fake = try FakeKubeAPI.start(auto: true, kubelet: true)
        defer { fake.stop() }
        let h = try await KubeHarness.make(fake: fake)
        defer { h.host.shutdown() }
        let e = try await h.run(
            """
            tasks:
              prepare:
                type: container
                outputs: {data: blob}
                container:
                  command: [sh, -c, 'printf "a,b\\n1,2\\n" > {{output_dir}}/data']
              count:
                type: pyspark
                inputs: {data: blob}
                config:
                  application: local:///opt/jobs/count.py
                  args: ["{{inputs.data}}"]
            workflows:
              w:
                outputs: {data: {type: blob, from: $prepare.data}}
                nodes:
                - {id: prepare, task: prepare}
                - {id: count, task: count, inputs: {data: $prepare.data}}
            """)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        guard case .blob(let data)? = try h.node(e, "prepare").outputs?["data"] else {
            Issue.record("no blob from the pod")
            return
        }
        #expect(try h.text(data.uri) == "a,b\n1,2\n")
        #expect(try h.node(e, "count").state.phase == .succeeded)
        // The application was given the pod's output, as Hadoop's S3A names it.
        let journal = try fake.requests()
        #expect(
            journal.filter { $0 == "POST /apis/sparkoperator.k8s.io/v1beta2/namespaces/default/sparkapplications" }
                .count == 1)
        let apps = try fake.objects().filter { $0["kind"] == .string("SparkApplication") }
        #expect(apps.first?["spec"]?["arguments"] == .array([.string("s3a://" + data.uri.dropFirst("s3://".count))]))
    }
}
