import AloftCompiler
import AloftEngine
import AloftWire
import Foundation
import Logging
import PluginHost

/// N concurrent BigQuery query jobs tracked by one host against a real bqemulator: one map node over N
/// items, every item a parameterised query job (`SELECT @seed AS n`, one integer output). The emulator
/// finishes jobs inside jobs.insert, so each job is insert + get + getQueryResults. Reports the host's CPU
/// per job and per API call, beside PyPI google-cloud-bigquery doing the same jobs against the same emulator
/// in the same run (scripts/bigquery-bench.py), and the emulator's CPU serving each.
enum BigQueryBench {
    struct Emulator {
        let endpoint: String, pid: Int32, log: String, project: String
    }

    static var peers: String {
        ProcessInfo.processInfo.environment["ALOFT_PEERS"] ?? (NSHomeDirectory() + "/.cache/aloft-peers")
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func startEmulator() throws -> Emulator {
        let venv = peers + "/bigquery"
        let rest = freePort(), grpc = freePort()
        let log = NSTemporaryDirectory() + "aloft-bench-bqemulator-\(getpid()).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        // Through the venv's python, which unblocks every signal before it becomes the emulator (a child
        // inherits blocked signals from Swift's threads, and then SIGTERM never stops it).
        p.executableURL = URL(fileURLWithPath: venv + "/bin/python")
        p.arguments = [
            "-c",
            "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, set()); os.execv(sys.argv[1], sys.argv[1:])",
            venv + "/bin/bqemulator", "start", "--rest-port", String(rest), "--grpc-port", String(grpc), "--project",
            "bench",
        ]
        p.environment = ProcessInfo.processInfo.environment.merging(["HOME": venv + "/home"]) { $1 }
        p.standardOutput = FileHandle(forWritingAtPath: log)
        p.standardError = FileHandle(forWritingAtPath: log)
        do { try p.run() } catch {
            throw BenchError("cannot start bqemulator (run `bash scripts/setup-peers.sh`): \(error)")
        }
        let endpoint = "http://127.0.0.1:\(rest)"
        for _ in 0..<600 {
            if ready(endpoint) {
                return Emulator(endpoint: endpoint, pid: p.processIdentifier, log: log, project: "bench")
            }
            usleep(100_000)
        }
        kill(p.processIdentifier, SIGTERM)
        throw BenchError("bqemulator did not start within 60 s; see \(log)")
    }

    static func ready(_ endpoint: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["curl", "-sf", endpoint + "/readyz"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// BigQuery API requests the emulator has logged so far.
    static func requests(_ log: String) -> Int {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.contains("\"http.request\"") && $0.contains("\"/bigquery/v2/") }.count
    }

    static func run(jobs: Int) async throws {
        let emulator = try startEmulator()
        defer { kill(emulator.pid, SIGTERM) }
        print(
            "\(jobs) BigQuery query jobs tracked at once by one host (a map node, concurrency \(jobs)), against bqemulator 1.4.0;"
        )
        print(
            "the emulator finishes jobs inside jobs.insert, so each job is insert + get + getQueryResults. Release build.\n"
        )

        var config = HostConfiguration()
        config.searchBuiltin = false
        config.callOptions.threads = 16
        config.pluginConfig["aloft.bigquery"] = .object([
            "endpoint": .string(emulator.endpoint), "project": .string(emulator.project),
            "credentials": .string("none"), "poll_seconds": .float(1),
        ])
        let host = await PluginHost.start(
            configuration: config, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
            environment: ProcessInfo.processInfo.environment,
            directories: [PluginDirectory(path: PluginSearchPath.executableDirectory()!, origin: .builtin)])
        let root = Scratch.directory("aloft-bench-bq")
        let engine = ExecutionEngine(
            host: host, store: try SQLiteMetadataStore(path: root + "/m.sqlite"),
            blobs: try LocalBlobStore(root: root + "/b"),
            options: EngineOptions(parallelism: jobs, overallParallelism: jobs, minPollInterval: .milliseconds(10)))
        let yaml = """
            tasks:
              t:
                type: bigquery
                inputs: {seed: integer}
                outputs: {n: integer}
                config: {query: "SELECT @seed AS n"}
            workflows:
              w:
                inputs: {seeds: list<integer>}
                nodes: [{id: m, map: {task: t, over: {seed: $inputs.seeds}, concurrency: \(jobs)}}]
            """
        let spec = Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/tmp/bq.yaml").spec!
        let emulatorBefore = SagemakerBench.cpuSeconds(emulator.pid), requestsBefore = requests(emulator.log)
        let cpuBefore = SagemakerBench.ownCPUSeconds()
        let t0 = now()
        let e = try await engine.run(
            spec, workflow: "w", inputs: ["seeds": .list((0..<jobs).map { .integer(Int64($0)) })],
            project: "bench", domain: "development")
        let wall = Double(now() - t0) / 1e9
        let hostCPU = SagemakerBench.ownCPUSeconds() - cpuBefore,
            emulatorCPU = SagemakerBench.cpuSeconds(emulator.pid) - emulatorBefore
        let calls = requests(emulator.log) - requestsBefore
        host.shutdown()
        guard e.phase == .succeeded else { throw BenchError("the run failed: \(e.error ?? "")") }

        // The peer: google-cloud-bigquery doing the same jobs against the same emulator.
        let emulatorBeforePeer = SagemakerBench.cpuSeconds(emulator.pid), requestsBeforePeer = requests(emulator.log)
        let py = Process()
        py.executableURL = URL(fileURLWithPath: peers + "/bigquery/bin/python")
        py.arguments = [
            SagemakerBench.repoRoot + "/scripts/bigquery-bench.py", String(jobs), emulator.endpoint, emulator.project,
            String(getpid()),
        ]
        let out = Pipe()
        py.standardOutput = out
        try py.run()
        let peerLine = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(
            separator: " ")
        py.waitUntilExit()
        let peerEmulatorCPU = SagemakerBench.cpuSeconds(emulator.pid) - emulatorBeforePeer
        let peerCalls = requests(emulator.log) - requestsBeforePeer
        let peerWall = Double(peerLine.first ?? "") ?? .nan
        let peerCPU = Double(peerLine.dropFirst().first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? .nan

        print(
            String(
                format:
                    "aloft                  wall %.1f s   host CPU %.2f s = %.0f µs per job, %.0f µs per API call (%d calls)   peak RSS %.0f MB",
                wall, hostCPU, hostCPU / Double(jobs) * 1e6, hostCPU / Double(max(calls, 1)) * 1e6, calls,
                peakRSSMegabytes()))
        print(
            String(
                format: "                       emulator CPU serving it %.1f s (%.0f µs per call)", emulatorCPU,
                emulatorCPU / Double(max(calls, 1)) * 1e6))
        print(
            String(
                format:
                    "google-cloud-bigquery  wall %.1f s   client CPU %.2f s = %.0f µs per job, %.0f µs per API call (%d calls; 16 threads, no durable state)",
                peerWall, peerCPU, peerCPU / Double(jobs) * 1e6, peerCPU / Double(max(peerCalls, 1)) * 1e6, peerCalls))
        print(String(format: "                       emulator CPU serving it %.1f s", peerEmulatorCPU))
        print(
            String(
                format: "ratio                  host CPU per job aloft / google-cloud-bigquery = %.2f",
                hostCPU / peerCPU))
    }
}
