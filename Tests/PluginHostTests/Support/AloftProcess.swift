import AloftTestSupport
import Foundation

/// Runs the built `aloft` as a user would, killed if it outlives `limit` (a hang guard, not a timing check).
struct AloftProcess {
    struct Ended {
        let status: Int32
        /// True when a signal ended it (status is then the signal).
        let signalled: Bool
        let stdout: String
        let stderr: String
        let elapsed: Duration
        let killedAtLimit: Bool
        var output: String { stdout + stderr }
        /// The execution id it printed.
        var executionID: String? {
            output.firstMatch(of: /ex-[0-9]{8}-[0-9]{6}-[a-z0-9]+/).map { String($0.output) }
        }
    }

    static var executable: String { Fixtures.buildDirectory + "/aloft" }

    /// `interruptAfter`: send SIGINT this long after the start (as Ctrl-C would).
    static func run(_ args: [String], cwd: String, limit: Duration = .seconds(120), interruptAfter: Duration? = nil) throws -> Ended {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        // A crash is expected in some tests: no slow backtrace.
        p.environment = ["HOME": cwd, "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let started = ContinuousClock.now
        try p.run()
        let killed = LockedFlag()
        let pid = p.processIdentifier
        if let interruptAfter {
            DispatchQueue.global().asyncAfter(deadline: .now() + interruptAfter.seconds) { kill(pid, SIGINT) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit.seconds) {
            if p.isRunning {
                killed.set()
                kill(pid, SIGKILL)
            }
        }
        // Both pipes drain at once: a child that fills one while the other is read to its end would block.
        let stderrData = LockedData()
        let stderrDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            stderrData.set(err.fileHandleForReading.readDataToEndOfFile())
            stderrDone.signal()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        stderrDone.wait()
        let e = stderrData.value
        p.waitUntilExit()
        return Ended(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
                     stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self),
                     elapsed: ContinuousClock.now - started, killedAtLimit: killed.value)
    }
}

extension Duration {
    var seconds: Double { secondsValue }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.withLock { data = d } }
    var value: Data { lock.withLock { data } }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}
