import AloftTestSupport
import Foundation

/// Runs the built `aloft` as a user would, killed if it outlives `limit` (a hang guard, not a timing check).
enum CheckProcess {
    struct Ended {
        let status: Int32
        /// True when a signal ended it.
        let signalled: Bool
        let stdout: String
        let stderr: String
    }

    static func aloft(_ args: [String], limit: Duration = .seconds(120)) throws -> Ended {
        let cwd = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-check-cwd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: cwd) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Fixtures.buildDirectory + "/aloft")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.environment = ["HOME": cwd, "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let pid = p.processIdentifier
        let seconds = Double(limit.components.seconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { if p.isRunning { kill(pid, SIGKILL) } }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Ended(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
                     stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
