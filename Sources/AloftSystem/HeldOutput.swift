import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Standard output held back briefly, so that a burst of short lines (a run's progress into a pipe or a file)
/// becomes one write instead of one each: a warm re-run of a 100-node cached chain wrote 200 lines, and each
/// write into a pipe woke the reader (a log collector, CI, `subprocess`), about 4% of the whole command.
///
/// Held text is written within 50 ms, or at once when anything else is written to standard output or error
/// through `StandardStreams` (or `flush` is called), so what this process writes keeps its order.
enum HeldOutput {
    private struct State {
        var bytes: [UInt8] = []
        var scheduled = false
    }
    private static let state = Mutex(State())
    /// Held bytes beyond this are written at once.
    static let limit = 16 << 10
    /// `exit` (an error thrown out of a command) writes what is still held: registered with the first line held.
    private static let flushedAtExit: Void = { atexit { HeldOutput.flush() } }()

    /// Holds `text`; it is written within 50 ms.
    static func hold(_ text: String) {
        _ = flushedAtExit
        let (full, schedule) = state.withLock { s -> (Bool, Bool) in
            s.bytes.append(contentsOf: text.utf8)
            defer { s.scheduled = true }
            return (s.bytes.count >= limit, !s.scheduled)
        }
        if full {
            flush()
        } else if schedule {
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { flush() }
        }
    }

    /// Writes what is held, now.
    static func flush() {
        let bytes = state.withLock { s -> [UInt8] in
            s.scheduled = false
            defer { s.bytes.removeAll(keepingCapacity: true) }
            return s.bytes
        }
        if !bytes.isEmpty { StandardStreams.writeAll(1, bytes) }
    }
}
