import AloftCompiler
import AloftEngine
import ArgumentParser
import Foundation
import Synchronization

/// Plain progress lines (one per node event), safe to call from any task.
final class ProgressPrinter: Sendable {
    let executionID: String
    private let started = ContinuousClock.now

    init(executionID: String) { self.executionID = executionID }

    var handle: @Sendable (EngineEvent) -> Void { { [self] in self.print($0) } }

    private func print(_ e: EngineEvent) {
        let t = ContinuousClock.now - started
        let stamp = String(format: "%7.2fs", t.secondsValue)
        let line: String
        switch e {
        case .nodeStarted(let path, let attempt): line = "\(stamp)  running    \(path)" + (attempt > 0 ? " (attempt \(attempt))" : "")
        case .nodeFinished(let path, let phase, let cached): line = "\(stamp)  \(phase.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(path)" + (cached ? " (cached)" : "")
        case .nodeRetrying(let path, let attempt, let error): line = "\(stamp)  retrying   \(path) as attempt \(attempt): \(error.message)"
        case .nodeStatus(let path, let message): line = "\(stamp)  status     \(path): \(message)"
        case .cacheHit(let path, let producer): line = "\(stamp)  cached     \(path) (outputs of \(producer))"
        }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

import PluginHost

/// Runs an execution so that Ctrl-C (SIGINT) or SIGTERM aborts its running nodes through the plugins.
enum Interruptible {
    static func run(engine: ExecutionEngine, id: String, _ body: @escaping @Sendable () async throws -> ExecutionRecord) async throws -> ExecutionRecord {
        let work = Task { try await body() }
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                FileHandle.standardError.write(Data("\naborting \(id)...\n".utf8))
                work.cancel()
            }
            s.resume()
            return s
        }
        defer { sources.forEach { $0.cancel() } }
        return try await work.value
    }
}

enum Report {
    static func finish(_ e: ExecutionRecord) throws {
        switch e.phase {
        case .succeeded:
            print("succeeded: \(e.id)")
            for (name, value) in (e.outputs ?? [:]).sorted(by: { $0.key < $1.key }) { print("  \(name) = \(GraphRenderer.plain(value))") }
        case .failed:
            print("failed: \(e.id): \(e.error ?? "")")
            throw ExitCode(ExitCodes.failed)
        case .aborted:
            print("aborted: \(e.id)")
            throw ExitCode(ExitCodes.aborted)
        case .running:
            print("still running: \(e.id)")
        }
    }
}
