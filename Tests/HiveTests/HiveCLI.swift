import AloftEngine
import AloftTestSupport
import Foundation

/// Runs the built `aloft` inside the peer's network namespace (`ip netns exec` execs it, so the pid is
/// aloft's own), in a scratch directory holding examples/hive/aloft.yaml, with the password as a secret.
enum HiveCLI {
    typealias Result = TestProcess.Ended

    static var aloft: String { Fixtures.buildDirectory + "/aloft" }
    static let example = HiveFixtures.repoRoot + "/examples/hive"

    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "aloft-hive-cli-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: example + "/aloft.yaml", toPath: dir + "/aloft.yaml")
        return dir
    }

    static func environment(_ peer: HivePeer.Running, home: String, password: String? = nil) -> [String: String] {
        ["HOME": home, "PATH": "/usr/bin:/bin", "ALOFT_SECRET_HIVE_PASSWORD": password ?? peer.password]
    }

    static func process(_ peer: HivePeer.Running, _ args: [String], cwd: String, password: String?) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: aloft) else {
            throw FixtureError("\(aloft) is missing: run `swift build` before `swift test`")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "exec", peer.namespace, aloft] + args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.environment = environment(peer, home: cwd, password: password)
        return p
    }

    /// Runs `aloft ARGS` in the namespace to its end (both pipes drained at once; killed after `limit`).
    static func run(
        _ peer: HivePeer.Running, _ args: [String], cwd: String, password: String? = nil,
        limit: Duration = .seconds(300)
    ) throws -> Result {
        let p = try process(peer, args, cwd: cwd, password: password)
        return try TestProcess.run(
            p.executableURL?.path ?? "/usr/sbin/ip", p.arguments ?? [], cwd: cwd, environment: p.environment,
            limit: limit)
    }

    /// `aloft ARGS` in the background, stdout captured in `out`, stderr in cwd/aloft-stderr.log.
    static func start(_ peer: HivePeer.Running, _ args: [String], cwd: String, out: Pipe) throws -> Process {
        let p = try process(peer, args, cwd: cwd, password: nil)
        p.standardOutput = out
        _ = FileManager.default.createFile(atPath: cwd + "/aloft-stderr.log", contents: nil)
        p.standardError = FileHandle(forWritingAtPath: cwd + "/aloft-stderr.log")
        try p.run()
        return p
    }

    /// The newest execution's id and the resource state of `node`, once the host has stored one.
    static func storedState(dir: String, node: String) -> (execution: String, state: [UInt8])? {
        guard let store = try? SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite"),
            let e = try? store.executions(project: nil, domain: nil, limit: 1).first,
            let state = (try? store.nodes(execution: e.id))?.first(where: { $0.node == node })?.resourceState
        else { return nil }
        return (e.id, state)
    }

    /// Reads a background run's stdout line by line as it comes.
    final class LineReader: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        init(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
                let d = h.availableData
                if d.isEmpty {
                    h.readabilityHandler = nil
                    return
                }
                self?.lock.withLock { self?.text += String(decoding: d, as: UTF8.self) }
            }
        }
        /// The first complete line that matches, waiting at most `seconds`.
        func waitFor(_ match: (String) -> Bool, seconds: Double) -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let all = lock.withLock { text }
                let complete = all.lastIndex(of: "\n").map { all[..<$0] } ?? ""
                let lines = complete.split(separator: "\n").map(String.init)
                if let line = lines.first(where: match) { return line }
                usleep(50_000)
            }
            return nil
        }
    }
}
