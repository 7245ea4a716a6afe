import AloftCompiler
import AloftEngine
import AloftWire
import Foundation
import Logging
import PluginHost

/// N concurrent SageMaker training jobs tracked by one host against a real moto_server (SigV4 checked):
/// one map node over N items, every item a training job (describe-before-create, create, describe until
/// done). Reports the host's CPU per job and per API call, and compares with the peer in the same run:
/// boto3 doing the same three calls per job from a 16-thread pool, and moto's own CPU for each.
enum SagemakerBench {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    struct Moto {
        let endpoint: String, pid: Int32, keyID: String, secret: String, role: String, log: String
    }

    static func startMoto() throws -> Moto {
        let log = NSTemporaryDirectory() + "aloft-bench-moto-\(getpid()).log"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repoRoot + "/scripts/moto-peer.py", "--log", log]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard let j = try? JSONParser.parse([UInt8](data)), let endpoint = j["endpoint"]?.stringValue,
            let pid = j["pid"]?.integerValue
        else {
            throw BenchError("moto_server did not start: run `bash scripts/setup.sh`")
        }
        return Moto(
            endpoint: endpoint, pid: Int32(pid), keyID: j["access_key_id"]!.stringValue!,
            secret: j["secret_access_key"]!.stringValue!,
            role: j["role_arn"]!.stringValue!, log: log)
    }

    /// CPU seconds (user + system) a process has used, from /proc.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let f = stat[stat.index(after: close)...].split(separator: " ")
        return (Double(f[11]) ?? 0) / 100 + (Double(f[12]) ?? 0) / 100  // utime, stime in clock ticks (100 Hz)
    }

    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func requests(_ log: String) -> Int {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").filter {
            $0.contains("\"POST / HTTP")
        }.count
    }

    static func run(jobs: Int) async throws {
        let moto = try startMoto()
        defer { kill(moto.pid, SIGTERM) }
        print(
            "\(jobs) SageMaker training jobs tracked at once by one host (a map node, concurrency \(jobs)), against moto_server"
        )
        print(
            "with SigV4 checked; moto completes jobs at once, so each job is describe + create + describe. Release build.\n"
        )

        var config = HostConfiguration()
        config.searchBuiltin = false
        config.callOptions.threads = 16
        config.pluginConfig["aloft.sagemaker"] = .object([
            "endpoint": .string(moto.endpoint), "role": .string(moto.role), "output_path": .string("s3://bench/out"),
            "poll_seconds": .float(1), "access_key_id": .string(moto.keyID),
        ])
        config.secretGrants["aloft.sagemaker"] = ["aws_secret_access_key"]
        var environment = ProcessInfo.processInfo.environment
        environment["ALOFT_SECRET_AWS_SECRET_ACCESS_KEY"] = moto.secret
        let host = await PluginHost.start(
            configuration: config, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
            environment: environment,
            directories: [PluginDirectory(path: PluginSearchPath.executableDirectory()!, origin: .builtin)])
        let root = Scratch.directory("aloft-bench-sm")
        let engine = ExecutionEngine(
            host: host, store: try SQLiteMetadataStore(path: root + "/m.sqlite"),
            blobs: try LocalBlobStore(root: root + "/b"),
            options: EngineOptions(parallelism: jobs, overallParallelism: jobs, minPollInterval: .milliseconds(10)))
        let yaml = """
            tasks:
              t:
                type: sagemaker-training
                inputs: {train: blob<csv>, seed: integer}
                outputs: {model: blob}
                config: {algorithm: {name: xgboost, version: "1.7-1"}, max_runtime: 600}
            workflows:
              w:
                inputs: {seeds: list<integer>, train: blob<csv>}
                nodes: [{id: m, map: {task: t, over: {seed: $inputs.seeds}, inputs: {train: $inputs.train}, concurrency: \(jobs)}}]
            """
        let spec = Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/tmp/sm.yaml").spec!
        let motoBefore = cpuSeconds(moto.pid), requestsBefore = requests(moto.log), cpuBefore = ownCPUSeconds()
        let t0 = now()
        let e = try await engine.run(
            spec, workflow: "w",
            inputs: [
                "seeds": .list((0..<jobs).map { .integer(Int64($0)) }),
                "train": .blob(BlobValue(uri: "s3://bench/train.csv", type: BlobType(format: "csv"))),
            ], project: "bench", domain: "development")
        let wall = Double(now() - t0) / 1e9
        let hostCPU = ownCPUSeconds() - cpuBefore, motoCPU = cpuSeconds(moto.pid) - motoBefore
        let calls = requests(moto.log) - requestsBefore
        host.shutdown()
        guard e.phase == .succeeded else { throw BenchError("the run failed: \(e.error ?? "")") }

        // The peer: boto3 making the same calls for the same number of jobs.
        let script = """
            import boto3, concurrent.futures, resource, sys, time
            n, endpoint, key, secret, role = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
            sm = boto3.client("sagemaker", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
            def job(i):
                name = "peer-%d" % i
                try: sm.describe_training_job(TrainingJobName=name)
                except sm.exceptions.ClientError: pass
                sm.create_training_job(TrainingJobName=name, RoleArn=role,
                    AlgorithmSpecification={"TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "TrainingInputMode": "File"},
                    InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bench/train.csv"}}}],
                    OutputDataConfig={"S3OutputPath": "s3://bench/out"}, ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
                    StoppingCondition={"MaxRuntimeInSeconds": 600}, HyperParameters={"seed": str(i)})
                assert sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] == "Completed"
            t0, c0 = time.perf_counter(), time.process_time()
            with concurrent.futures.ThreadPoolExecutor(16) as pool: list(pool.map(job, range(n)))
            print(time.perf_counter() - t0, time.process_time() - c0)
            """
        let motoBeforePeer = cpuSeconds(moto.pid)
        let py = Process()
        py.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        py.arguments = ["python3", "-c", script, String(jobs), moto.endpoint, moto.keyID, moto.secret, moto.role]
        let out = Pipe()
        py.standardOutput = out
        try py.run()
        let peerLine = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(
            separator: " ")
        py.waitUntilExit()
        let peerMotoCPU = cpuSeconds(moto.pid) - motoBeforePeer
        let peerWall = Double(peerLine.first ?? "") ?? .nan
        let peerCPU = Double(peerLine.dropFirst().first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? .nan

        print(
            String(
                format:
                    "aloft   wall %.1f s   host CPU %.2f s = %.0f µs per job, %.0f µs per API call (%d calls)   peak RSS %.0f MB",
                wall, hostCPU, hostCPU / Double(jobs) * 1e6, hostCPU / Double(max(calls, 1)) * 1e6, calls,
                peakRSSMegabytes()))
        print(
            String(
                format: "        moto CPU serving it %.1f s (%.0f µs per call)", motoCPU,
                motoCPU / Double(max(calls, 1)) * 1e6))
        print(
            String(
                format: "boto3   wall %.1f s   client CPU %.2f s = %.0f µs per job (16 threads, no durable state)",
                peerWall, peerCPU,
                peerCPU / Double(jobs) * 1e6))
        print(String(format: "        moto CPU serving it %.1f s", peerMotoCPU))
        print(String(format: "ratio   host CPU per job aloft / boto3 = %.2f", hostCPU / peerCPU))
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
