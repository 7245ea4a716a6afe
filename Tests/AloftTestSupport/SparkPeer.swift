import AloftHTTP
import Foundation

/// Spark from PyPI's pyspark, installed by `scripts/setup.sh` into $ALOFT_PEERS/spark (a venv), and a
/// standalone cluster (one master, one worker, on 127.0.0.1) started once per test process for the tests
/// that need it. Spark is required: a missing installation fails the tests that need it, saying how to get it.
public enum SparkPeer {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Where the PyPI peers live (scripts/env.sh).
    public static var peersDirectory: String {
        ProcessInfo.processInfo.environment["ALOFT_PEERS"] ?? NSHomeDirectory() + "/.cache/aloft-peers"
    }

    /// SPARK_HOME: the pyspark package in the peers venv.
    public static func home() throws -> String {
        let lib = peersDirectory + "/spark/lib"
        for v in ((try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []).sorted().reversed()
        where v.hasPrefix("python3") {
            let home = "\(lib)/\(v)/site-packages/pyspark"
            if FileManager.default.isExecutableFile(atPath: home + "/bin/spark-submit") { return home }
        }
        throw Unavailable(
            description: "pyspark is not installed in \(peersDirectory)/spark: run `bash scripts/setup.sh`")
    }

    /// The venv's Python (it has pyspark, pyarrow and pandas).
    public static func python() throws -> String {
        _ = try home()
        return peersDirectory + "/spark/bin/python"
    }

    /// The environment the `aloft` CLI needs in tests to find Spark: the peers directory.
    public static var environment: [String: String] { ["ALOFT_PEERS": peersDirectory] }

    // MARK: Standalone cluster

    public struct Cluster: Sendable {
        public let master: String  // spark://127.0.0.1:PORT
        public let restURL: String
        public let masterUI: String
        public let workerDirectory: String
    }

    public static let shared: Result<Cluster, Unavailable> = startCluster()

    public static func cluster() throws -> Cluster { try shared.get() }

    private static func startCluster() -> Result<Cluster, Unavailable> {
        let home: String
        do { home = try SparkPeer.home() } catch { return .failure(error as! Unavailable) }
        let dir = NSTemporaryDirectory() + "aloft-spark-cluster-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir + "/work", withIntermediateDirectories: true)
        let (port, ui, rest, workerUI) = (freePort(), freePort(), freePort(), freePort())
        let properties = dir + "/master.properties"
        try? "spark.master.rest.enabled true\nspark.master.rest.port \(rest)\nspark.master.rest.host 127.0.0.1\n"
            .write(toFile: properties, atomically: true, encoding: .utf8)
        let sparkClass = home + "/bin/spark-class"
        let env = [
            "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_HOME": home, "PATH": "/usr/bin:/bin", "HOME": dir,
            "PYSPARK_PYTHON": peersDirectory + "/spark/bin/python",
        ]
        let master = "spark://127.0.0.1:\(port)"
        startBound(
            [
                sparkClass, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", "\(port)",
                "--webui-port", "\(ui)", "--properties-file", properties,
            ], env: env, log: dir + "/master.log")
        guard waitFor("http://127.0.0.1:\(ui)/json/", seconds: 180, until: { _ in true }) != nil else {
            return .failure(Unavailable(description: "the Spark master did not start; see \(dir)/master.log"))
        }
        startBound(
            [
                sparkClass, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--webui-port",
                "\(workerUI)",
                "--cores", "2", "--memory", "2g", "--work-dir", dir + "/work", master,
            ], env: env, log: dir + "/worker.log")
        guard
            waitFor("http://127.0.0.1:\(ui)/json/", seconds: 180, until: { ($0["aliveworkers"] as? Int ?? 0) > 0 })
                != nil
        else {
            return .failure(Unavailable(description: "the Spark worker did not register; see \(dir)/worker.log"))
        }
        return .success(
            Cluster(
                master: master, restURL: "http://127.0.0.1:\(rest)", masterUI: "http://127.0.0.1:\(ui)",
                workerDirectory: dir + "/work"))
    }

    /// Starts a server in a process group of its own that is killed, whole, when this test process ends
    /// (also when it is killed): a shell watches our pid and then kills its own group.
    static func startBound(_ argv: [String], env: [String: String], log: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        let watch = "(while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; kill -KILL 0) & exec \"$@\""
        p.arguments = ["/bin/sh", "-c", watch, "spark-peer"] + argv
        p.environment = env
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: log)
        p.standardError = FileHandle(forWritingAtPath: log)
        p.standardInput = FileHandle.nullDevice
        try? p.run()
    }

    /// Polls a JSON URL until `until` holds; the last document, or nil after `seconds`.
    public static func waitFor(_ url: String, seconds: Double, until: ([String: Any]) -> Bool) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let response = try? HTTPClient().send(
                HTTPRequest("GET", url, timeoutMilliseconds: 2_000, retryable: false)),
                let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                until(json)
            {
                return json
            }
            usleep(250_000)
        }
        return nil
    }

    /// A TCP port nothing listens on now (bound to 127.0.0.1 and released).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
