import AloftCompiler
import AloftEngine
import AloftSystem
import AloftWire
import ArgumentParser
import Dispatch
import FoundationEssentials
import Glibc
import PluginHost
import Synchronization

/// Progress of a run. On a terminal: one status line redrawn in place (running, done, cached, failed,
/// elapsed), with retries and failures printed above it. Otherwise: one plain line per event, for logs.
final class ProgressPrinter: Sendable {
    let executionID: String
    private let started = ContinuousClock.now
    private let live = isatty(1) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    private let state = Mutex(Counts())
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    struct Counts {
        var running = Set<String>()
        var done = 0, cached = 0, failed = 0, skipped = 0
        var finished = false
    }

    init(executionID: String) {
        self.executionID = executionID
        if live {
            let task = Task { [weak self] in
                while !Task.isCancelled {
                    self?.redraw()
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            ticker.withLock { $0 = task }
        }
    }

    deinit { ticker.withLock { $0?.cancel() } }

    var handle: @Sendable (EngineEvent) -> Void { { [self] in self.on($0) } }

    /// Ends the live line, or writes the lines still held (call before printing the result).
    func finish() {
        ticker.withLock { $0?.cancel() }
        guard live else { return StandardStreams.flushOutput() }
        redraw()
        write("\n")
    }

    private func on(_ e: EngineEvent) {
        state.withLock { c in
            switch e {
            case .nodeStarted(let path, _): c.running.insert(path)
            case .nodeFinished(let path, let phase, let cached):
                c.running.remove(path)
                switch phase {
                case .succeeded: if cached { c.cached += 1 } else { c.done += 1 }
                case .skipped: c.skipped += 1
                default: c.failed += 1
                }
            default: break
            }
        }
        let stamp = Self.stamp(ContinuousClock.now - started)
        var line: String?
        switch e {
        case .nodeStarted(let path, let attempt):
            line = live ? nil : "\(stamp)  running    \(path)" + (attempt > 0 ? " (attempt \(attempt))" : "")
        case .nodeFinished(let path, let phase, let cached):
            if !live || (phase != .succeeded && phase != .skipped) {
                line =
                    "\(stamp)  \(phase.rawValue.padded(toWidth: 9))  \(path)"
                    + (cached ? " (cached)" : "")
            }
        case .nodeRetrying(let path, let attempt, let error):
            line = "\(stamp)  retrying   \(path) as attempt \(attempt): \(error.message)"
        case .nodeStatus(let path, let message): line = live ? nil : "\(stamp)  status     \(path): \(message)"
        case .cacheHit(let path, let producer):
            line = live ? nil : "\(stamp)  cached     \(path) (outputs of \(producer))"
        }
        if let line { write((live ? "\r\u{1B}[2K" : "") + line + "\n") }
        if live { redraw() }
    }

    private func redraw() {
        guard live else { return }
        let c = state.withLock { $0 }
        let elapsed = (ContinuousClock.now - started).secondsValue
        var parts = ["\(c.running.count) running", "\(c.done) done", "\(c.cached) cached", "\(c.failed) failed"]
        if c.skipped > 0 { parts.append("\(c.skipped) skipped") }
        let current = c.running.sorted().prefix(3).joined(separator: ", ") + (c.running.count > 3 ? ", ..." : "")
        write(
            "\r\u{1B}[2K" + parts.joined(separator: " · ") + "  " + DecimalText.fixed(elapsed, places: 1) + "s"
                + (current.isEmpty ? "" : "  [\(current)]"))
    }

    /// On a terminal at once; otherwise (a pipe, a file) held for up to 50 ms, so that a burst of lines is one
    /// write (see `StandardStreams.writeOutputSoon`).
    private func write(_ s: String) {
        if live { StandardStreams.writeOutput(s) } else { StandardStreams.writeOutputSoon(s) }
    }

    /// Seconds with two decimals, right-aligned in 7 columns and an "s" ("   1.25s"): what `%7.2fs` printed.
    static func stamp(_ elapsed: Duration) -> String {
        let text = DecimalText.fixed(max(0, elapsed.secondsValue), places: 2)
        return String(repeating: " ", count: max(0, 7 - text.count)) + text + "s"
    }
}

/// Runs an execution so that Ctrl-C (SIGINT), SIGTERM or SIGHUP (a closed terminal) aborts its running
/// nodes through the plugins, and `aloft` exits only once they are stopped: each plugin's abort gives its
/// task a grace period (5 s for local processes) and then kills what is left. A second signal cuts the
/// grace periods short: what still runs is killed at once.
enum Interruptible {
    static func run(
        engine: ExecutionEngine, id: String, _ body: @escaping @Sendable () async throws -> ExecutionRecord
    ) async throws -> ExecutionRecord {
        // The signals are caught before the work starts: a signal that came between the two killed `aloft`
        // with the execution left running (its default action), once the run got fast enough to reach a plugin
        // call first.
        let work = CancelOnce()
        let received = Atomic<Int>(0)
        let signals = engine.host.services.signals
        let sources = [SIGINT, SIGTERM, SIGHUP].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let source = s as? DispatchSource
            s.setEventHandler { [weak source] in
                // Dispatch hands over, in one call, the signals that came while the last call ran: two Ctrl-Cs
                // in quick succession are a first and a second signal, not one.
                let count = max(1, Int((source as (any DispatchSourceSignal)?)?.data ?? 1))
                let total = received.add(count, ordering: .relaxed).newValue
                if total == count {
                    StandardStreams.writeError(
                        "\naborting \(id): stopping its running tasks (again to kill them at once)...\n")
                    work.cancel()
                }
                if total >= 2 {
                    StandardStreams.writeError("killing the running tasks of \(id)...\n")
                    signals.hurry()
                }
            }
            s.resume()
            return s
        }
        defer { sources.forEach { $0.cancel() } }
        let task = Task { try await body() }
        work.set(task)
        return try await task.value
    }
}

enum Report {
    static func finish(_ e: ExecutionRecord, progress: ProgressPrinter? = nil) throws {
        progress?.finish()
        switch e.phase {
        case .succeeded:
            print("succeeded: \(e.id)")
            for (name, value) in (e.outputs ?? [:]).sorted(by: { $0.key < $1.key }) {
                print("  \(name) = \(GraphRenderer.plain(value))")
            }
        case .failed:
            print("failed: \(e.id): \(e.error ?? "")")
            throw ExitCode(ExitCodes.failed)
        case .aborted:
            print("aborted: \(e.id)")
            throw ExitCode(ExitCodes.aborted)
        case .running:
            print("still running: \(e.id)")
        case .queued:
            print("queued: \(e.id)")
        }
    }
}
