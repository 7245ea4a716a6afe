import AloftSystem
import FoundationEssentials
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
        /// A deadline earlier than `nextLook` came after the thread computed its wait: it must look again
        /// instead of sleeping (its signal may have come before the thread started waiting, and been lost).
        var lookAgain = false
    }

    private let state = Mutex(State())
    private let nextID = Atomic<UInt64>(1)
    private let condition = ConditionLock()

    /// The longest the thread sleeps when nothing is due sooner.
    private let maxWait: Duration
    /// Called with the computed wait just before the thread sleeps (tests hold the thread there).
    private let aboutToWait: @Sendable (Duration) -> Void

    init(maxWait: Duration = .seconds(1), aboutToWait: @escaping @Sendable (Duration) -> Void = { _ in }) {
        self.maxWait = maxWait
        self.aboutToWait = aboutToWait
        HostThread.start(name: "aloft-watchdog") { [self] in loop() }
    }

    /// Calls `fire` at `deadline` unless cancelled first. Returns the token for `cancel`.
    public func schedule(at deadline: ContinuousClock.Instant, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        // Wake the thread only when it would otherwise look too late: with one budget for all calls, new
        // deadlines are later than the ones it already waits for, and a call costs no wake-up at all.
        let wake = state.withLock { s -> Bool in
            s.entries[id] = Entry(deadline: deadline, fire: fire)
            let wake = s.nextLook.map { deadline < $0 } ?? true
            if wake { s.lookAgain = true }
            return wake
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
                let wait = min(earliest.map { now.duration(to: $0) } ?? maxWait, maxWait)
                s.nextLook = now + wait
                s.lookAgain = false
                return (due, wait)
            }
            for fire in due { fire() }
            aboutToWait(wait)
            // Checked under the condition's lock: a schedule that set `lookAgain` after this check signals only
            // once the thread is waiting (wait releases the lock atomically), so no wake-up is lost.
            condition.lock()
            if !state.withLock({ $0.lookAgain }) {
                condition.wait(timeout: wait + .milliseconds(1))
            }
            condition.unlock()
        }
    }
}
