import Foundation
import Synchronization

/// One thread that fires deadlines: how the host notices a plugin call that overran its budget without
/// blocking anything while it waits.
public final class Watchdog: Sendable {
    public static let shared = Watchdog()

    private struct Entry {
        let deadline: ContinuousClock.Instant
        let fire: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        /// When the watchdog thread will next look, if it is asleep.
        var nextLook: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let nextID = Atomic<UInt64>(1)
    private let condition = NSCondition()

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "aloft-watchdog"
        thread.start()
    }

    /// Calls `fire` at `deadline` unless cancelled first. Returns the token for `cancel`.
    public func schedule(at deadline: ContinuousClock.Instant, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        // Wake the thread only when it would otherwise look too late: with one budget for all calls, new
        // deadlines are later than the ones it already waits for, and a call costs no wake-up at all.
        let wake = state.withLock { s -> Bool in
            s.entries[id] = Entry(deadline: deadline, fire: fire)
            return s.nextLook.map { deadline < $0 } ?? true
        }
        if wake {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
        return id
    }

    public func cancel(_ token: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: token) }
    }

    private func loop() {
        while true {
            let now = ContinuousClock.now
            let (due, wait) = state.withLock { s -> ([@Sendable () -> Void], Duration) in
                var due: [@Sendable () -> Void] = []
                var earliest: ContinuousClock.Instant?
                for (id, e) in s.entries {
                    if e.deadline <= now {
                        due.append(e.fire)
                        s.entries[id] = nil
                    } else if earliest == nil || e.deadline < earliest! {
                        earliest = e.deadline
                    }
                }
                let wait = min(earliest.map { now.duration(to: $0) } ?? .seconds(1), .seconds(1))
                s.nextLook = now + wait
                return (due, wait)
            }
            for fire in due { fire() }
            let (s, atto) = wait.components
            condition.lock()
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(s) + Double(atto) / 1e18 + 0.001))
            condition.unlock()
        }
    }
}
