import Foundation
import Testing

/// One real HiveServer2 (Spark's Thrift server from the `pyspark` venv scripts/setup-peers.sh makes) per
/// test process, serving HTTP and binary TCP from one JVM (Fixtures/AloftTwoTransports.java) with a
/// password check (Fixtures/AloftTestAuth.java: user alice), inside a
/// private network namespace: in HTTP mode the server listens on every interface whatever its bind setting,
/// so it and every client that talks to it live in `aloft-hive-<test pid>`, where only loopback exists.
/// A watchdog stops the server when the test process is gone; namespaces of dead test processes are
/// cleaned up at the next start. A missing peer fails the tests in CI and skips them elsewhere.
enum HivePeer {
    struct Running: Sendable {
        let namespace: String
        let port: Int
        /// The binary (TCP + SASL PLAIN) transport's port.
        let binaryPort: Int
        let directory: String
        let user = "alice"
        let password = "hive-test-password"
        var log: String { directory + "/server.log" }
    }

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static let shared: Result<Running, Unavailable> = start()

    /// The running peer; throws (failing the test) when it could not start.
    static func require() throws -> Running { try shared.get() }

    static var available: Bool {
        if case .success = shared { return true }
        return ProcessInfo.processInfo.environment["CI"] == "true"  // in CI a missing peer fails, never skips
    }

    static var peersRoot: String {
        ProcessInfo.processInfo.environment["ALOFT_PEERS"] ?? NSHomeDirectory() + "/.cache/aloft-peers"
    }

    static var sparkHome: String? {
        let lib = peersRoot + "/spark/lib"
        guard
            let python = (try? FileManager.default.contentsOfDirectory(atPath: lib))?.first(where: {
                $0.hasPrefix("python")
            })
        else { return nil }
        let home = "\(lib)/\(python)/site-packages/pyspark"
        return FileManager.default.fileExists(atPath: home + "/bin/spark-submit") ? home : nil
    }

    nonisolated(unsafe) static var namespaceToDelete: String?

    private static func start() -> Result<Running, Unavailable> {
        guard let sparkHome else {
            return .failure(
                Unavailable(
                    description: "pyspark is not installed under \(peersRoot)/spark: run `bash scripts/setup-peers.sh`")
            )
        }
        removeStaleNamespaces()
        let namespace = "aloft-hive-\(getpid())"
        let dir = NSTemporaryDirectory() + "aloft-hive-peer-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard sh("ip netns add \(namespace) && ip netns exec \(namespace) ip link set lo up") == 0 else {
            return .failure(
                Unavailable(description: "cannot make the network namespace \(namespace) (needs root and iproute2)"))
        }
        namespaceToDelete = namespace
        atexit { HivePeer.stop() }
        let sources = ["AloftTestAuth.java", "AloftTwoTransports.java"].map(HiveFixtures.hiveFixture).joined(
            separator: " ")
        guard
            sh("cd \(dir) && javac -cp '\(sparkHome)/jars/*' -d classes \(sources) && jar cf peer.jar -C classes .")
                == 0
        else {
            return .failure(Unavailable(description: "cannot compile \(sources) (javac from a JDK is needed)"))
        }
        let port = 10001, binaryPort = 10000
        let submit = [
            "\(sparkHome)/bin/spark-submit", "--master", "'local[2]'", "--driver-class-path", "\(dir)/peer.jar",
            "--class", "AloftTwoTransports",
            "--conf", "spark.sql.warehouse.dir=\(dir)/warehouse", "--conf", "spark.ui.enabled=false",
            "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
            "\(dir)/peer.jar",
            "hive.server2.thrift.http.port=\(port)", "hive.server2.thrift.http.path=cliservice",
            "hive.server2.thrift.port=\(binaryPort)", "hive.server2.thrift.bind.host=127.0.0.1",
            "hive.server2.long.polling.timeout=100ms",
            "hive.server2.authentication=CUSTOM", "hive.server2.custom.authentication.class=AloftTestAuth",
        ].joined(separator: " ")
        // The watchdog: the server lives while this test process does (a SIGKILLed test run leaves nothing).
        let script = """
            cd \(dir)
            export SPARK_HOME=\(sparkHome) SPARK_LOCAL_IP=127.0.0.1
            \(submit) > \(dir)/server.log 2>&1 &
            server=$!
            echo $server > \(dir)/server.pid
            while kill -0 \(getpid()) 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done
            kill $server 2>/dev/null; sleep 5; kill -9 $server 2>/dev/null
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        watchdog.arguments = ["netns", "exec", namespace, "bash", "-c", script]
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        do { try watchdog.run() } catch {
            return .failure(Unavailable(description: "cannot start the Spark Thrift server: \(error)"))
        }
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let probe = "echo > /dev/tcp/127.0.0.1/\(port) && echo > /dev/tcp/127.0.0.1/\(binaryPort)"
            if sh("ip netns exec \(namespace) bash -c '\(probe)' 2>/dev/null") == 0 {
                return .success(Running(namespace: namespace, port: port, binaryPort: binaryPort, directory: dir))
            }
            if !watchdog.isRunning { break }
            usleep(500_000)
        }
        let log = (try? String(contentsOfFile: dir + "/server.log", encoding: .utf8)) ?? ""
        return .failure(
            Unavailable(description: "the Spark Thrift server did not open port \(port) in time: \(log.suffix(800))"))
    }

    /// Kills what runs in our namespace (the watchdog and the server, by pid) and deletes it.
    static func stop() {
        guard let namespace = namespaceToDelete else { return }
        killAll(in: namespace)
        _ = sh("ip netns del \(namespace) 2>/dev/null")
    }

    static func killAll(in namespace: String) {
        let pids = output("ip netns pids \(namespace) 2>/dev/null").split(separator: "\n").compactMap { Int32($0) }
        for pid in pids { kill(pid, SIGTERM) }
        if !pids.isEmpty { usleep(1_000_000) }
        for pid in pids { kill(pid, SIGKILL) }
    }

    /// Namespaces `aloft-hive-<pid>` whose test process is gone (a killed run): their processes and themselves;
    /// then the server directories of finished runs (each run keeps its own until the next, for its server.log).
    static func removeStaleNamespaces() {
        defer {
            let tmp = NSTemporaryDirectory()
            for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
            where name.hasPrefix("aloft-hive-peer-") {
                if let pid = Int32(name.dropFirst("aloft-hive-peer-".count)), pid != getpid(), kill(pid, 0) != 0 {
                    try? FileManager.default.removeItem(atPath: tmp + name)
                }
            }
        }
        for line in output("ip netns list 2>/dev/null").split(separator: "\n") {
            let name = String(line.split(separator: " ")[0])
            guard name.hasPrefix("aloft-hive-"), let pid = Int32(name.dropFirst("aloft-hive-".count)), kill(pid, 0) != 0
            else { continue }
            killAll(in: name)
            _ = sh("ip netns del \(name) 2>/dev/null")
        }
    }

    @discardableResult
    static func sh(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", command]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func output(_ command: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

enum HiveFixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static func hiveFixture(_ name: String) -> String { repoRoot + "/Tests/HiveTests/Fixtures/" + name }
}
