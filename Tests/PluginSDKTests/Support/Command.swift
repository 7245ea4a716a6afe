import AloftTestSupport
import Foundation

/// Runs a program to its end, reading stdout and stderr at the same time (a child that fills one pipe while
/// the test reads the other cannot deadlock), killed when it outlives `limit`.
struct Command {
    struct Ended: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        let killedAtLimit: Bool
        var succeeded: Bool { status == 0 && !killedAtLimit }
        var description: String { "exit \(status)\(killedAtLimit ? " (killed at its time limit)" : "")\n\(stdout)\(stderr)" }
    }

    struct LaunchFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// `args[0]` is looked up on PATH (through /usr/bin/env) unless it is a path.
    static func run(_ args: [String], cwd: String? = nil, environment: [String: String] = [:],
                    limit: Duration = .seconds(300)) throws -> Ended {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw LaunchFailed(description: "\(args[0]) could not be started: \(error)") }
        let killed = Flag()
        let watchdog = DispatchWorkItem {
            if p.isRunning {
                killed.set()
                kill(p.processIdentifier, SIGKILL)
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + Double(limit.components.seconds), execute: watchdog)
        let stderrData = Drained(err.fileHandleForReading)
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        watchdog.cancel()
        return Ended(status: p.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                     stderr: String(decoding: stderrData.wait(), as: UTF8.self), killedAtLimit: killed.value)
    }

    /// The built `aloft` the tests drive.
    static var aloft: String { Fixtures.buildDirectory + "/aloft" }
}

/// Reads a pipe to its end on a thread of its own.
private final class Drained: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    func set() { lock.withLock { raised = true } }
    var value: Bool { lock.withLock { raised } }
}

/// A fresh temporary directory, removed by `remove()` (call it in a `defer`).
struct TemporaryDirectory {
    let path: String

    init(_ label: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
