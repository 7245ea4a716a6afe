import AloftAWS
import AloftCompiler
import AloftEngine
import AloftHTTP
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The Container and Spark plugins, loaded from their own libraries, driven by the engine with an S3 blob
/// store on moto (SigV4 enforced) and pointed at the FAKE API server through a kubeconfig. The AWS keys reach
/// the plugins as host secrets; the fake's "kubelet" gets them from a Secret (envFrom), as a pod would.
struct KubeHarness {
    let host: PluginHost
    let engine: ExecutionEngine
    let store: SQLiteMetadataStore
    let dir: String
    let fake: FakeKubeAPI
    let s3: S3Client
    let bucket: String

    static let entrypoint = Fixtures.repoRoot.appendingPathComponent("Plugins/Container/pod/aloft-pod-entrypoint.py")
        .path

    static func make(fake: FakeKubeAPI, token: String? = nil) async throws -> KubeHarness {
        let moto = try MotoPeer.require()
        let dir = try TemporaryDirectory.make("kube")
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        for lib in ["libAloftPluginContainer.so", "libAloftPluginSpark.so"] {
            try FileManager.default.copyItem(
                atPath: Fixtures.buildDirectory + "/" + lib, toPath: dir + "/plugins/" + lib)
        }
        let kubeconfig = try fake.kubeconfig(in: dir, token: token)
        let shared: [String: JSON] = [
            "kubeconfig": .string(kubeconfig), "s3_endpoint": .string(moto.endpoint), "s3_region": .string(moto.region),
        ]
        let podConfig = shared.merging([
            "entrypoint": .array([.string("python3"), .string(entrypoint)]), "env_secret": .string("aloft-s3"),
            "poll_seconds": .float(0.1),
        ]) { a, _ in a }
        let sparkConfig = shared.merging(["image": .string("apache/spark:3.5.3"), "spark_version": .string("3.5.3")]) {
            a, _ in a
        }
        let keys: Set = ["aws_access_key_id", "aws_secret_access_key"]
        let host = await Fixtures.host(
            directory: dir + "/plugins",
            configure: {
                $0.pluginConfig["aloft.container"] = .object([
                    "backend": .string("kubernetes"), "image": .string("python:3.12"), "kubernetes": .object(podConfig),
                ])
                $0.pluginConfig["aloft.spark"] = .object([
                    "backend": .string("kubernetes"), "poll_seconds": .float(0.1), "kubernetes": .object(sparkConfig),
                ])
                $0.secretGrants["aloft.container"] = keys
                $0.secretGrants["aloft.spark"] = keys
            },
            environment: [
                "ALOFT_SECRET_AWS_ACCESS_KEY_ID": moto.accessKeyID,
                "ALOFT_SECRET_AWS_SECRET_ACCESS_KEY": moto.secretAccessKey,
            ])
        let (s3, bucket) = try moto.newBucket("kube")
        // What the fake kubelet gives the pod (envFrom secretRef aloft-s3): the entrypoint's S3 access.
        try fake.control(
            "POST", "/fake/secret",
            .object([
                "namespace": .string("default"), "name": .string("aloft-s3"),
                "data": .object([
                    "AWS_ACCESS_KEY_ID": .string(moto.accessKeyID),
                    "AWS_SECRET_ACCESS_KEY": .string(moto.secretAccessKey),
                    "AWS_ENDPOINT_URL": .string(moto.endpoint), "AWS_REGION": .string(moto.region),
                    "AWS_DEFAULT_REGION": .string(moto.region),
                ]),
            ]))
        let store = try SQLiteMetadataStore(path: dir + "/metadata.sqlite")
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try S3BlobStore(root: "s3://\(bucket)/runs", client: s3),
            options: EngineOptions(minPollInterval: .milliseconds(1), maxPollInterval: .milliseconds(200)))
        return KubeHarness(host: host, engine: engine, store: store, dir: dir, fake: fake, s3: s3, bucket: bucket)
    }

    func run(
        _ yaml: String, inputs: LiteralMap = [:], id: String = ExecutionID.make()
    ) async throws
        -> ExecutionRecord
    {
        let r = Compiler(resolver: PluginTaskTypeResolver(host: host)).compile(text: yaml, path: dir + "/spec.yaml")
        let spec = try #require(r.spec, "\(r.diagnostics)")
        return try await engine.run(spec, workflow: "w", inputs: inputs, project: "p", domain: "development", id: id)
    }

    /// A run in the background, for tests that drive the fake while it polls.
    struct Run {
        let id: String
        let task: Task<ExecutionRecord, any Error>
    }

    func start(_ yaml: String, inputs: LiteralMap = [:]) -> Run {
        let id = ExecutionID.make()
        return Run(id: id, task: Task { try await run(yaml, inputs: inputs, id: id) })
    }

    /// The run's end; a hang guard (not a timing check) aborts it after `seconds`, so a test that waits for a
    /// phase that never comes fails instead of hanging.
    func finish(_ run: Run, seconds: Int = 120) async throws -> ExecutionRecord {
        let store = self.store
        let watchdog = Task {
            try await Task.sleep(for: .seconds(seconds))
            try? store.requestAbort(id: run.id)
        }
        defer { watchdog.cancel() }
        return try await run.task.value
    }

    func node(_ e: ExecutionRecord, _ n: String = "a") throws -> NodeRecord {
        try #require(try store.nodes(execution: e.id).first { $0.node == n })
    }

    /// Puts an object where an attempt's outputs go (an env value of the pod or app, s3://bucket/key/).
    func putOutput(_ outputURI: String, _ name: String, _ text: String) throws {
        let (bucket, key) = try #require(S3Client.split(outputURI + name))
        try s3.put(bucket: bucket, key: key, Array(text.utf8))
    }

    func text(_ uri: String) throws -> String {
        let (bucket, key) = try #require(S3Client.split(uri))
        return String(decoding: try s3.get(bucket: bucket, key: key), as: UTF8.self)
    }
}

/// An env value of an object's first container (a pod) or its driver (a SparkApplication).
func envValue(_ object: JSON, _ name: String) -> String? {
    let env =
        object["spec"]?["containers"]?.arrayValue?.first?["env"]?.arrayValue
        ?? object["spec"]?["driver"]?["env"]?.arrayValue ?? []
    return env.first { $0["name"]?.stringValue == name }?["value"]?.stringValue
}
