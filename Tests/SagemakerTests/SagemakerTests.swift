import AloftAWS
import AloftCompiler
import AloftEngine
import AloftHTTP
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Synchronization
import Testing

/// The SageMaker plugin, loaded from its own shared library and driven by the engine: against a real
/// moto_server that checks every signature, and, for what moto cannot do (jobs that stay in progress,
/// failures, stopping), against recorded API answers (those tests say so in their names).
@Suite(.serialized, .timeLimit(.minutes(5))) struct SagemakerTests {
    struct Harness {
        let host: PluginHost
        let engine: ExecutionEngine
        let store: SQLiteMetadataStore

        func run(
            _ yaml: String, inputs: LiteralMap = [:], id: String = ExecutionID.make(),
            events: @escaping @Sendable (EngineEvent) -> Void = { _ in }
        ) async throws -> ExecutionRecord {
            let r = Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/virtual/spec.yaml")
            let spec = try #require(r.spec, "\(r.diagnostics)")
            return try await engine.run(
                spec, workflow: "w", inputs: inputs, project: "p", domain: "development", id: id, events: events)
        }

        func node(_ e: ExecutionRecord) throws -> NodeRecord {
            try #require(try store.nodes(execution: e.id).first { $0.node == "a" })
        }
    }

    /// The key id goes in the plugin config (not a secret, so errors can name it), the secret key through the
    /// host's secrets (ALOFT_SECRET_* variables, granted to the plugin).
    static func harness(
        endpoint: String, keyID: String, secret: String, role: String = "arn:aws:iam::123456789012:role/r"
    ) async throws -> Harness {
        let dir = NSTemporaryDirectory() + "aloft-sagemaker-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Fixtures.buildDirectory + "/libAloftPluginSagemaker.so",
            toPath: dir + "/plugins/libAloftPluginSagemaker.so")
        let host = await Fixtures.host(
            directory: dir + "/plugins",
            configure: {
                $0.pluginConfig["aloft.sagemaker"] = .object([
                    "endpoint": .string(endpoint), "region": .string("us-east-1"), "role": .string(role),
                    "output_path": .string("s3://aloft-models/out"), "poll_seconds": .float(0.01),
                    "access_key_id": .string(keyID),
                ])
                $0.secretGrants["aloft.sagemaker"] = ["aws_secret_access_key"]
            }, environment: ["ALOFT_SECRET_AWS_SECRET_ACCESS_KEY": secret])
        let store = try SQLiteMetadataStore(path: dir + "/metadata.sqlite")
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: dir + "/blobs"),
            options: EngineOptions(minPollInterval: .milliseconds(1), maxPollInterval: .milliseconds(50)))
        return Harness(host: host, engine: engine, store: store)
    }

    static func spec(
        type: String = "sagemaker-training", outputs: String = "{model: blob, job_name: string, train_progress: float}",
        extra: String = ""
    ) -> String {
        """
        tasks:
          t:
            type: \(type)
            inputs: {train: blob<csv>, max_depth: integer, eta: float}
            outputs: \(outputs)
            config:
              algorithm: {name: xgboost, version: "1.7-1"}
              content_type: text/csv
              hyperparameters: {objective: "binary:logistic", num_round: 100}
              \(extra)
        workflows:
          w:
            inputs: {train: blob<csv>, max_depth: {type: integer, default: 5}, eta: {type: float, default: 0.2}}
            outputs: {model: {type: blob, from: $a.model}}
            nodes: [{id: a, task: t, inputs: {train: $inputs.train, max_depth: $inputs.max_depth, eta: $inputs.eta}}]
        """
    }

    static let trainURI = Literal.blob(BlobValue(uri: "s3://aloft-data/pima/train.csv", type: BlobType(format: "csv")))

    // MARK: - against moto (signatures checked)

    @Test func aTrainingJobRunsAndReturnsItsModelBlob() async throws {
        let moto = try MotoPeer.require()
        let s3 = moto.s3Client()
        try s3.createBucket("aloft-data")
        try s3.put(bucket: "aloft-data", key: "pima/train.csv", Array("1,148,72\n0,85,66\n".utf8))
        let h = try await Self.harness(
            endpoint: moto.endpoint, keyID: moto.accessKeyID, secret: moto.secretAccessKey, role: moto.roleARN)
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec(), inputs: ["train": Self.trainURI])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try h.node(e)
        guard case .blob(let model)? = a.outputs?["model"] else {
            Issue.record("no model")
            return
        }
        let name = try #require(a.outputs?["job_name"].flatMap { if case .string(let s) = $0 { s } else { nil } })
        #expect(model.uri == "s3://aloft-models/out/\(name)/output/model.tar.gz")
        #expect(a.outputs?["train_progress"] == .float(100))  // moto's final metric train:progress
        #expect(name.count <= 63 && name.hasPrefix(e.id))
    }

    @Test func aWrongSecretFailsNamingTheKeyIDAndNeverTheSecret() async throws {
        let moto = try MotoPeer.require()
        let wrong = "wrong-secret-\(UUID())"
        let h = try await Self.harness(
            endpoint: moto.endpoint, keyID: moto.accessKeyID, secret: wrong, role: moto.roleARN)
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec(), inputs: ["train": Self.trainURI])
        #expect(e.phase == .failed)
        let error = try #require(try h.node(e).state.lastError)
        #expect(error.code == .plugin("Credentials"))
        #expect(error.kind == .user)
        #expect(error.message.contains("AWS refused the credentials for access key id \(moto.accessKeyID)"))
        #expect(error.message.contains("SignatureDoesNotMatch"))
        #expect(!error.message.contains(wrong) && !(e.error ?? "").contains(wrong))
        #expect(try h.node(e).state.userFailures + h.node(e).state.systemFailures == 1)  // permanent: not retried
    }

    // MARK: - on recorded responses

    struct Recorded {
        let port: Int
        let scenario: String
        let journal: String
        let process: Process

        var endpoint: String { "http://127.0.0.1:\(port)" }
        func set(_ answers: [String: [[String: Any]]]) throws {
            try JSONSerialization.data(withJSONObject: answers).write(to: URL(fileURLWithPath: scenario))
        }
        func calls() -> [String] {
            ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").map {
                String($0.split(separator: " ")[0])
            }
        }
    }

    static func recorded(_ answers: [String: [[String: Any]]]) throws -> Recorded {
        let dir = NSTemporaryDirectory() + "aloft-recorded-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/recorded_aws.py"
        ).path
        let r = Recorded(port: 0, scenario: dir + "/scenario.json", journal: dir + "/journal", process: Process())
        try r.set(answers)
        let (p, port) = try PythonPeer.start(script, [r.scenario, r.journal])
        return Recorded(port: port, scenario: r.scenario, journal: r.journal, process: p)
    }

    static var unknown: [String: Any] { ["fixture": "describe-training-job-unknown.json"] }
    static var created: [String: Any] { ["fixture": "create-training-job.json"] }
    static var completed: [String: Any] { ["fixture": "describe-training-job-completed.json"] }
    static let describeCall = "SageMaker.DescribeTrainingJob", createCall = "SageMaker.CreateTrainingJob"

    /// The status lines the engine reported while polling.
    final class StatusLines: Sendable {
        private let lines = Mutex<[String]>([])
        func record(_ event: EngineEvent) {
            if case .nodeStatus(_, let line) = event { lines.withLock { $0.append(line) } }
        }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func inProgressThenCompletedOnRecordedResponses() async throws {
        let r = try Self.recorded([
            "SageMaker.DescribeTrainingJob": [
                Self.unknown, ["fixture": "describe-inprogress.json"], ["fixture": "describe-inprogress.json"],
                ["fixture": "describe-training-job-completed.json"],
            ],
            "SageMaker.CreateTrainingJob": [Self.created],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(endpoint: r.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec(), inputs: ["train": Self.trainURI])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(
            r.calls() == [
                "SageMaker.DescribeTrainingJob", "SageMaker.CreateTrainingJob", "SageMaker.DescribeTrainingJob",
                "SageMaker.DescribeTrainingJob", "SageMaker.DescribeTrainingJob",
            ])
        guard case .blob(let model)? = try h.node(e).outputs?["model"] else {
            Issue.record("no model")
            return
        }
        #expect(model.uri == "s3://aloft-data/pima/output/aloft-pima-train-0001/output/model.tar.gz")
        // What was sent: the channel from the blob input, hyperparameters from the other inputs and the config.
        let create = try String(contentsOfFile: r.journal, encoding: .utf8).split(separator: "\n")[1].drop { $0 != " " }
            .dropFirst()
        let body = try JSONSerialization.jsonObject(with: Data(create.utf8)) as! [String: Any]
        #expect(
            (body["HyperParameters"] as? [String: String]) == [
                "max_depth": "5", "eta": "0.2", "objective": "binary:logistic", "num_round": "100",
            ])
        let channel = (body["InputDataConfig"] as! [[String: Any]])[0]
        #expect(channel["ChannelName"] as? String == "train")
        #expect(
            ((channel["DataSource"] as! [String: Any])["S3DataSource"] as! [String: Any])["S3Uri"] as? String
                == "s3://aloft-data/pima/train.csv")
        #expect(
            (body["AlgorithmSpecification"] as! [String: Any])["TrainingImage"] as? String
                == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1")
    }

    @Test func aFailedJobIsAUserErrorWithItsReasonOnRecordedResponses() async throws {
        let r = try Self.recorded([
            "SageMaker.DescribeTrainingJob": [Self.unknown, ["fixture": "describe-failed.json"]],
            "SageMaker.CreateTrainingJob": [Self.created],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(endpoint: r.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec(), inputs: ["train": Self.trainURI])
        #expect(e.phase == .failed)
        let error = try #require(try h.node(e).state.lastError)
        #expect(error.code == .plugin("JobFailed") && error.kind == .user)
        #expect(error.message.hasPrefix("SageMaker job \(e.id)-a-0-"))
        #expect(error.message.contains(" failed: AlgorithmError: framework error"))
    }

    @Test func throttlingIsRetriedAndValidationIsNotOnRecordedResponses() async throws {
        let r = try Self.recorded([
            "SageMaker.DescribeTrainingJob": [
                Self.unknown, Self.unknown, ["fixture": "describe-training-job-completed.json"],
            ],
            "SageMaker.CreateTrainingJob": [["fixture": "error-throttling.json"], Self.created],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(endpoint: r.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec(), inputs: ["train": Self.trainURI])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(r.calls().filter { $0 == "SageMaker.CreateTrainingJob" }.count == 2)

        let v = try Self.recorded([
            "SageMaker.DescribeTrainingJob": [Self.unknown],
            "SageMaker.CreateTrainingJob": [["fixture": "error-validation.json"]],
        ])
        defer { v.process.terminate() }
        let h2 = try await Self.harness(endpoint: v.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h2.host.shutdown() }
        let failed = try await h2.run(Self.spec(), inputs: ["train": Self.trainURI])
        let error = try #require(try h2.node(failed).state.lastError)
        #expect(error.code == .plugin("ValidationException") && error.kind == .user)
        #expect(v.calls().filter { $0 == "SageMaker.CreateTrainingJob" }.count == 1)
    }

    @Test func abortStopsTheJobOnRecordedResponses() async throws {
        let r = try Self.recorded([
            "SageMaker.DescribeTrainingJob": [Self.unknown, ["fixture": "describe-inprogress.json"]],
            "SageMaker.CreateTrainingJob": [Self.created],
            "SageMaker.StopTrainingJob": [["status": 200, "body": [:] as [String: Any]]],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(endpoint: r.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h.host.shutdown() }
        let id = ExecutionID.make()
        let run = Task { try await h.run(Self.spec(), inputs: ["train": Self.trainURI], id: id) }
        for _ in 0..<1500 where !r.calls().contains("SageMaker.CreateTrainingJob") {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(r.calls().contains("SageMaker.CreateTrainingJob"), "the training job was never created")
        try await Task.sleep(for: .milliseconds(100))
        try h.store.requestAbort(id: id)
        let e = try await run.value
        #expect(e.phase == .aborted)
        // An abort that had to queue behind a poll in flight (cancellation does not wait for a poll) runs when
        // that poll returns, perhaps after the execution ended; the host waits for it before it shuts down, as
        // `aloft` does before it exits.
        h.host.shutdown()
        #expect(r.calls().contains("SageMaker.StopTrainingJob"))
    }

    @Test func aTuningJobReturnsTheBestModelOnRecordedResponses() async throws {
        let r = try Self.recorded([
            "SageMaker.DescribeHyperParameterTuningJob": [
                ["fixture": "describe-hyper-parameter-tuning-job-unknown.json"],
                ["fixture": "describe-hyper-parameter-tuning-job.json"],
            ],
            "SageMaker.CreateHyperParameterTuningJob": [["fixture": "create-hyper-parameter-tuning-job.json"]],
            "SageMaker.DescribeTrainingJob": [["fixture": "describe-training-job-completed.json"]],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(endpoint: r.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h.host.shutdown() }
        let spec = Self.spec(
            type: "sagemaker-tuning", outputs: "{model: blob, best_job: string, objective: float}",
            extra: """
                tuning:
                        strategy: Bayesian
                        objective: {type: Maximize, metric: "validation:auc"}
                        max_jobs: 4
                        max_parallel_jobs: 2
                        ranges: {max_depth: {integer: [2, 8]}, eta: {continuous: [0.05, 0.5]}, booster: {categorical: [gbtree, dart]}}
                """)
        let e = try await h.run(spec, inputs: ["train": Self.trainURI])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try h.node(e)
        #expect(a.outputs?["best_job"] == .string("FakeTrainingJobName"))
        #expect(a.outputs?["objective"] == .float(1.0))
        let create = try String(contentsOfFile: r.journal, encoding: .utf8).split(separator: "\n").first {
            $0.hasPrefix("SageMaker.CreateHyper")
        }!
        let body =
            try JSONSerialization.jsonObject(with: Data(create.drop { $0 != " " }.dropFirst().utf8)) as! [String: Any]
        let name = body["HyperParameterTuningJobName"] as! String
        #expect(name.count <= 32)
        let ranges = ((body["HyperParameterTuningJobConfig"] as! [String: Any])["ParameterRanges"] as! [String: Any])
        #expect(
            (ranges["CategoricalParameterRanges"] as! [[String: Any]])[0]["Values"] as? [String] == ["gbtree", "dart"])
        #expect((ranges["IntegerParameterRanges"] as! [[String: Any]])[0]["MinValue"] as? String == "2")
    }

    @Test func stoppingIsStillRunningAndStoppedIsAFinalUserErrorOnRecordedResponses() async throws {
        let r = try Self.recorded([
            Self.describeCall: [
                Self.unknown, ["fixture": "describe-stopping.json"], ["fixture": "describe-stopped.json"],
            ],
            Self.createCall: [Self.created],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(endpoint: r.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h.host.shutdown() }
        // The task may be retried: a stopped job must not be.
        let spec = Self.spec().replacingOccurrences(
            of: "    type: sagemaker-training\n", with: "    type: sagemaker-training\n    retries: 2\n")
        let lines = StatusLines()
        let e = try await h.run(spec, inputs: ["train": Self.trainURI], events: { lines.record($0) })
        #expect(e.phase == .failed)
        #expect(lines.all == ["stopping"])  // Stopping was polled as running, with its status line
        let a = try h.node(e)
        let error = try #require(a.state.lastError)
        #expect(error.code == .plugin("Stopped") && error.kind == .user && !error.retryable)
        #expect(error.message.hasPrefix("SageMaker job \(e.id)-a-0-") && error.message.hasSuffix(" was stopped"))
        #expect(a.state.userFailures == 1 && a.state.systemFailures == 0)
        #expect(r.calls() == [Self.describeCall, Self.createCall, Self.describeCall, Self.describeCall])
    }

    @Test func aSubmitThatFindsTheJobDoesNotCreateItOnRecordedResponses() async throws {
        // The create would "succeed" as moto's does, replacing the job: only the journal can tell it was sent.
        let r = try Self.recorded([
            Self.describeCall: [["fixture": "describe-inprogress.json"], Self.completed],
            Self.createCall: [["fixture": "create-training-job-duplicate.json"]],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(endpoint: r.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec(), inputs: ["train": Self.trainURI])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(r.calls() == [Self.describeCall, Self.describeCall])
        guard case .blob(let model)? = try h.node(e).outputs?["model"] else {
            Issue.record("no model")
            return
        }
        #expect(model.uri == "s3://aloft-data/pima/output/aloft-pima-train-0001/output/model.tar.gz")
    }

    @Test func aCreateAnsweringResourceInUseReattachesOnRecordedResponses() async throws {
        // The job appeared between the describe and the create (a concurrent or lost first create).
        let r = try Self.recorded([
            Self.describeCall: [Self.unknown, Self.completed],
            Self.createCall: [["fixture": "error-resource-in-use.json"]],
        ])
        defer { r.process.terminate() }
        let h = try await Self.harness(endpoint: r.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec(), inputs: ["train": Self.trainURI])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(r.calls() == [Self.describeCall, Self.createCall, Self.describeCall])
        let a = try h.node(e)
        #expect(a.state.userFailures + a.state.systemFailures == 0)
    }

    @Test func aServerErrorIsRetriedThenARetryableSystemErrorOnRecordedResponses() async throws {
        // Once: the HTTP client sends the create again by itself; the attempt never sees the error.
        let once = try Self.recorded([
            Self.describeCall: [Self.unknown, Self.completed],
            Self.createCall: [
                [
                    "status": 500,
                    "body": ["__type": "InternalFailure", "message": "We encountered an internal error."],
                ], Self.created,
            ],
        ])
        defer { once.process.terminate() }
        let h = try await Self.harness(endpoint: once.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h.host.shutdown() }
        let e = try await h.run(Self.spec(), inputs: ["train": Self.trainURI])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(once.calls() == [Self.describeCall, Self.createCall, Self.createCall, Self.describeCall])
        #expect(try h.node(e).state.systemFailures == 0)

        // Always (Retry-After: 0 only spares the test the client's backoff): every create is sent the client's
        // 4 times, then the submit fails with a retryable system error, retried until the system budget (3) is spent.
        let always = try Self.recorded([
            Self.describeCall: [Self.unknown],
            Self.createCall: [
                [
                    "status": 503, "body": ["__type": "ServiceUnavailable", "message": "Service is unavailable."],
                    "headers": ["Retry-After": "0"],
                ]
            ],
        ])
        defer { always.process.terminate() }
        let h2 = try await Self.harness(endpoint: always.endpoint, keyID: "AKIDEXAMPLE", secret: "s")
        defer { h2.host.shutdown() }
        let failed = try await h2.run(Self.spec(), inputs: ["train": Self.trainURI])
        #expect(failed.phase == .failed)
        let a = try h2.node(failed)
        let error = try #require(a.state.lastError)
        #expect(error.code == .plugin("ServiceUnavailable") && error.kind == .system && error.retryable)
        #expect(error.message.hasSuffix("Service is unavailable. (HTTP 503)"))
        #expect(a.state.systemFailures == 4 && a.state.userFailures == 0)
        let calls = always.calls()
        let describes = calls.filter { $0 == Self.describeCall }.count
        #expect(describes > 0 && calls.filter { $0 == Self.createCall }.count == 4 * describes)
    }
}
