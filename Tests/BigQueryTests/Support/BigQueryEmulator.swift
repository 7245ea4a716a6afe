import AloftHTTP
import AloftTestSupport
import Foundation

/// A real bqemulator (PyPI, DuckDB-backed BigQuery REST), installed by scripts/setup-peers.sh into
/// $ALOFT_PEERS/bigquery, started once per test process on 127.0.0.1 and stopped by its PID at exit. It is
/// required: a missing one fails the tests that need it (with the command that installs it), never skips them.
enum BigQueryEmulator {
    struct Running: Sendable {
        let endpoint: String
        let project: String
        let pid: Int32
    }

    struct Unavailable: Error, CustomStringConvertible { let description: String }

    static let shared: Result<Running, Unavailable> = start()

    static func require() throws -> Running { try shared.get() }

    static var peers: String {
        ProcessInfo.processInfo.environment["ALOFT_PEERS"] ?? (NSHomeDirectory() + "/.cache/aloft-peers")
    }

    nonisolated(unsafe) static var serverPID: Int32 = 0

    static let unblockAndExec =
        "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, set()); os.execv(sys.argv[1], sys.argv[1:])"

    private static func start() -> Result<Running, Unavailable> {
        let venv = peers + "/bigquery"
        let exe = venv + "/bin/bqemulator"
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            return .failure(
                Unavailable(description: "\(exe) is missing: install the peers with `bash scripts/setup-peers.sh`"))
        }
        let rest = Ports.free(), grpc = Ports.free()
        let log = NSTemporaryDirectory() + "aloft-bqemulator-\(getpid()).log"
        let p = Process()
        // Through the venv's python, which unblocks every signal before it becomes the emulator: a child
        // inherits the test runner's blocked signals, and then SIGTERM never stops it.
        p.executableURL = URL(fileURLWithPath: venv + "/bin/python")
        p.arguments = [
            "-c", unblockAndExec, exe, "start", "--rest-port", String(rest), "--grpc-port", String(grpc), "--project",
            "aloft-test",
        ]
        // The DuckDB extensions it loads were installed for this HOME (scripts/setup-peers.sh).
        p.environment = ProcessInfo.processInfo.environment.merging(["HOME": venv + "/home"]) { $1 }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: log)
        p.standardError = FileHandle(forWritingAtPath: log)
        do { try p.run() } catch { return .failure(Unavailable(description: "cannot start \(exe): \(error)")) }
        serverPID = p.processIdentifier
        atexit { if BigQueryEmulator.serverPID > 0 { kill(BigQueryEmulator.serverPID, SIGTERM) } }
        let endpoint = "http://127.0.0.1:\(rest)"
        let probe = HTTPClient(.init(retry: .none))
        for _ in 0..<1200 {  // 120 s: it takes ~3 s alone, much longer beside other test suites on 2 cores
            if let r = try? probe.send(HTTPRequest("GET", endpoint + "/readyz", timeoutMilliseconds: 2_000)),
                r.text.contains("\"ok\"")
            {
                return .success(Running(endpoint: endpoint, project: "aloft-test", pid: p.processIdentifier))
            }
            if !p.isRunning { break }
            usleep(100_000)
        }
        kill(p.processIdentifier, SIGTERM)
        let tail = (try? String(contentsOfFile: log, encoding: .utf8)).map { String($0.suffix(800)) } ?? ""
        return .failure(Unavailable(description: "bqemulator did not become ready within 120 s: \(tail)"))
    }

    /// A REST call straight to the emulator (set-up and checks, not the code under test).
    static func rest(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> [String: Any] {
        let e = try require()
        var request = HTTPRequest(
            method, e.endpoint + "/bigquery/v2/projects/\(e.project)" + path, timeoutMilliseconds: 30_000)
        if let body {
            request.body = Array(try JSONSerialization.data(withJSONObject: body))
            request.setHeader("Content-Type", "application/json")
        }
        let response = try HTTPClient().send(request)
        return (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    /// A dataset of its own for a test (datasets are shared by every test of the process).
    static func dataset(_ prefix: String = "ds") throws -> String {
        let name = prefix + "_" + UUID().uuidString.prefix(8).lowercased()
        _ = try rest(
            "POST", "/datasets", ["datasetReference": ["projectId": try require().project, "datasetId": name]])
        return name
    }
}

enum Ports {
    /// A TCP port nothing listens on right now (bound to 127.0.0.1 and released).
    static func free() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
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
}
