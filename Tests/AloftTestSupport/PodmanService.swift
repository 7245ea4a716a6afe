import Foundation

/// A real `podman system service` for the podman backend's tests: started once per test process on a private
/// unix socket with the project's containers.conf, stopped by its PID when the process exits. Podman and
/// the local image (scripts/build-image.sh) are required, not optional: `scripts/setup.sh` installs both, and
/// a missing one fails the tests that need it with the command that fixes it.
public enum PodmanService {
    public static let image = "localhost/aloft-python:1"
    public static let containersConf = Fixtures.repoRoot.appendingPathComponent("scripts/containers.conf").path

    public struct Running: Sendable {
        public let socket: String
        public let pid: Int32
    }

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public static let shared: Result<Running, Unavailable> = start()

    /// The running service, or a test failure that says why it is not there.
    public static func require() throws -> Running { try shared.get() }

    /// `podman ARGS...` with the project's settings; its exit status and output.
    public static func podman(_ args: [String]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["podman"] + args
        var env = ProcessInfo.processInfo.environment
        env["CONTAINERS_CONF"] = containersConf
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        do { try p.run() } catch { return (127, "\(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Names of the containers (any state) whose name starts with `prefix`.
    public static func containers(named prefix: String) -> [String] {
        podman(["ps", "-a", "--format", "{{.Names}}"]).output.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix(prefix)
        }
    }

    private static func start() -> Result<Running, Unavailable> {
        let version = podman(["--version"])
        guard version.status == 0 else {
            return .failure(
                Unavailable(
                    description: "podman is not installed (\(version.output.prefix(200))); run `bash scripts/setup.sh`")
            )
        }
        guard podman(["image", "exists", image]).status == 0 else {
            return .failure(
                Unavailable(description: "the image \(image) is missing; build it with `bash scripts/build-image.sh`"))
        }
        let dir = NSTemporaryDirectory() + "aloft-podman-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let socket = dir + "/podman.sock"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["podman", "system", "service", "--time=0", "unix://" + socket]
        // conmon leaves files (an `oom` marker) in the service's working directory: keep them out of the tree.
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["CONTAINERS_CONF"] = containersConf
        p.environment = env
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        do { try p.run() } catch {
            return .failure(Unavailable(description: "cannot start podman system service: \(error)"))
        }
        let pid = p.processIdentifier
        servicePID = pid
        atexit { if PodmanService.servicePID > 0 { kill(PodmanService.servicePID, SIGTERM) } }
        // Up to 120 s: a loaded machine (JVMs starting beside it) can take far longer than the usual second.
        for _ in 0..<2400 {
            if FileManager.default.fileExists(atPath: socket), canConnect(socket) {
                return .success(Running(socket: socket, pid: pid))
            }
            usleep(50_000)
        }
        kill(pid, SIGTERM)
        return .failure(Unavailable(description: "podman system service did not open \(socket) within 120 s"))
    }

    nonisolated(unsafe) static var servicePID: Int32 = 0

    private static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            path.utf8CString.withUnsafeBytes {
                raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(raw.count - 1)))
            }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
