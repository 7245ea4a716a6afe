import AloftEngine
import AloftTestSupport
import Foundation

/// Runs the built `aloft` inside the peer's network namespace (`ip netns exec` execs it, so the pid is
/// aloft's own), in a scratch directory holding examples/hive/aloft.yaml, with the password as a secret.
enum HiveCLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

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

    static func process(_ peer: HivePeer.Running, _ args: [String], cwd: String, password: String?) -> Process {
        precondition(FileManager.default.isExecutableFile(atPath: aloft), "\(aloft) is missing: run `swift build` before `swift test`")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "exec", peer.namespace, aloft] + args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.environment = environment(peer, home: cwd, password: password)
        return p
    }

    static func run(_ peer: HivePeer.Running, _ args: [String], cwd: String, password: String? = nil) throws -> Result {
        let p = process(peer, args, cwd: cwd, password: password)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes while it runs (a full pipe would block it).
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    /// `aloft ARGS` in the background, stdout captured in `out`, stderr in cwd/aloft-stderr.log.
    static func start(_ peer: HivePeer.Running, _ args: [String], cwd: String, out: Pipe) throws -> Process {
        let p = process(peer, args, cwd: cwd, password: nil)
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
                if d.isEmpty { h.readabilityHandler = nil; return }
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

    final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        func set(_ d: Data) { lock.withLock { data = d } }
        var isSet: Bool { lock.withLock { data != nil } }
        func get() -> Data { lock.withLock { data ?? Data() } }
    }
}
