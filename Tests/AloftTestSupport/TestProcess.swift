import Foundation

/// Runs a child process to its end for a test: both pipes are read at the same time (a child that fills one
/// while the test reads the other to its end cannot deadlock), and it is SIGKILLed when it outlives `limit`
/// (a hang guard, not a timing check: a test's time limit cannot stop a call that blocks).
public enum TestProcess {
    public struct Ended: Sendable, CustomStringConvertible {
        /// The exit status, or the signal when `signalled`.
        public let status: Int32
        /// True when a signal ended it.
        public let signalled: Bool
        public let stdout: String
        public let stderr: String
        public let elapsed: Duration
        public let killedAtLimit: Bool

        public var output: String { stdout + stderr }
        public var succeeded: Bool { status == 0 && !signalled && !killedAtLimit }
        public var description: String {
            let end = signalled ? "signal \(status)" : "exit \(status)"
            return "\(end)\(killedAtLimit ? " (killed at its time limit)" : "")\n\(stdout)\(stderr)"
        }
    }

    public struct LaunchFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `executable` (a path) with `arguments`. `environment` nil inherits the test's; stdin is empty.
    /// `interruptAfter`: SIGINT this long after the start (as Ctrl-C would).
    public static func run(
        _ executable: String, _ arguments: [String], cwd: String? = nil,
        environment: [String: String]? = nil, limit: Duration = .seconds(120),
        interruptAfter: Duration? = nil
    ) throws -> Ended {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        do { try p.run() } catch { throw LaunchFailed(description: "\(executable) could not be started: \(error)") }
        let stdout = PipeDrain(out.fileHandleForReading), stderr = PipeDrain(err.fileHandleForReading)
        let pid = p.processIdentifier
        let killed = Flag()
        let guardItem = DispatchWorkItem {
            if p.isRunning {
                killed.set()
                kill(pid, SIGKILL)
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit.testSeconds, execute: guardItem)
        let interrupt = interruptAfter.map { after in
            let item = DispatchWorkItem { if p.isRunning { kill(pid, SIGINT) } }
            DispatchQueue.global().asyncAfter(deadline: .now() + after.testSeconds, execute: item)
            return item
        }
        p.waitUntilExit()
        guardItem.cancel()
        interrupt?.cancel()
        // A grandchild that kept the pipes open must not hold the test: what came within a grace period.
        let grace = ContinuousClock.now + .seconds(5)
        return Ended(
            status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
            stdout: String(decoding: stdout.wait(until: grace), as: UTF8.self),
            stderr: String(decoding: stderr.wait(until: grace), as: UTF8.self),
            elapsed: ContinuousClock.now - started, killedAtLimit: killed.value)
    }

    /// `args[0]` looked up on PATH (through /usr/bin/env) unless it is a path.
    public static func run(
        _ args: [String], cwd: String? = nil, environment: [String: String]? = nil,
        limit: Duration = .seconds(120)
    ) throws -> Ended {
        try run("/usr/bin/env", args, cwd: cwd, environment: environment, limit: limit)
    }
}

extension Duration {
    /// Seconds as a Double, for Dispatch deadlines.
    public var testSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Reads a pipe on a thread of its own, as it comes, until its end.
private final class PipeDrain: @unchecked Sendable {
    private let condition = NSCondition()
    private var data = Data()
    private var ended = false

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                condition.withLock {
                    if chunk.isEmpty { ended = true } else { data.append(chunk) }
                    condition.broadcast()
                }
                if chunk.isEmpty { return }
            }
        }
    }

    /// Everything read once the pipe ended, or what was read by `deadline`.
    func wait(until deadline: ContinuousClock.Instant) -> Data {
        condition.withLock {
            while !ended {
                let left = deadline - ContinuousClock.now
                if left <= .zero { break }
                _ = condition.wait(until: Date(timeIntervalSinceNow: min(left.testSeconds, 1)))
            }
            return data
        }
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    func set() { lock.withLock { raised = true } }
    var value: Bool { lock.withLock { raised } }
}
