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

    private let entries = Mutex<[UInt64: Entry]>([:])
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
        entries.withLock { $0[id] = Entry(deadline: deadline, fire: fire) }
        condition.lock()
        condition.signal()
        condition.unlock()
        return id
    }

    public func cancel(_ token: UInt64) {
        _ = entries.withLock { $0.removeValue(forKey: token) }
    }

    private func loop() {
        while true {
            let now = ContinuousClock.now
            let (due, earliest) = entries.withLock { all -> ([@Sendable () -> Void], ContinuousClock.Instant?) in
                var due: [@Sendable () -> Void] = []
                var earliest: ContinuousClock.Instant?
                for (id, e) in all {
                    if e.deadline <= now {
                        due.append(e.fire)
                        all[id] = nil
                    } else if earliest == nil || e.deadline < earliest! {
                        earliest = e.deadline
                    }
                }
                return (due, earliest)
            }
            for fire in due { fire() }
            let wait = min(earliest.map { now.duration(to: $0) } ?? .milliseconds(250), .milliseconds(250))
            let (s, atto) = wait.components
            condition.lock()
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(s) + Double(atto) / 1e18 + 0.001))
            condition.unlock()
        }
    }
}
