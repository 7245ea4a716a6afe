import Foundation

/// A real `moto_server` with SigV4 checking on (scripts/moto-peer.py starts it and makes an IAM user, an
/// access key and a SageMaker role), once per test process, stopped by its PID when the process exits.
/// moto is required: `scripts/setup.sh` installs it; a missing one fails the tests that need it.
public enum MotoPeer {
    public struct Running: Sendable {
        public let endpoint: String
        public let pid: Int32
        public let accessKeyID: String
        public let secretAccessKey: String
        public let roleARN: String
        public let region: String
    }

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public static let shared: Result<Running, Unavailable> = start()

    public static func require() throws -> Running { try shared.get() }

    nonisolated(unsafe) static var serverPID: Int32 = 0

    private static func start() -> Result<Running, Unavailable> {
        let script = Fixtures.repoRoot.appendingPathComponent("scripts/moto-peer.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, "--log", NSTemporaryDirectory() + "aloft-moto-\(getpid()).log"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return .failure(Unavailable(description: "cannot run \(script): \(error)")) }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
            let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let endpoint = json["endpoint"] as? String, let pid = json["pid"] as? Int
        else {
            return .failure(
                Unavailable(
                    description:
                        "moto_server did not start (install it with `bash scripts/setup.sh`): \(errors.suffix(500))"))
        }
        serverPID = Int32(pid)
        atexit {
            if MotoPeer.serverPID > 0 {
                kill(-MotoPeer.serverPID, SIGTERM)
                kill(MotoPeer.serverPID, SIGTERM)
            }
        }
        return .success(
            Running(
                endpoint: endpoint, pid: Int32(pid), accessKeyID: json["access_key_id"] as! String,
                secretAccessKey: json["secret_access_key"] as! String, roleARN: json["role_arn"] as! String,
                region: json["region"] as? String ?? "us-east-1"))
    }
}
