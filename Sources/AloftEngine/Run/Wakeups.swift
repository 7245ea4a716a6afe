import Synchronization

/// Lets a polling loop sleep until its poll-after time or until the plugin asks for an early poll
/// (request_poll), whichever comes first.
final class Wakeups: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, Never>
    }

    /// Waiters and wake-ups that came while nobody waited, under one lock: a wake-up is either handed to a
    /// waiter or kept for the next sleep, never lost between the two.
    private struct State {
        var waiters: [String: Waiter] = [:]
        var pending = Set<String>()
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A wake-up for `taskExecutionID` (from any thread).
    func signal(_ taskExecutionID: String) {
        let waiter = state.withLock { s -> Waiter? in
            if let w = s.waiters.removeValue(forKey: taskExecutionID) { return w }
            s.pending.insert(taskExecutionID)
            return nil
        }
        waiter?.continuation.resume()
    }

    /// Sleeps up to `duration`, returning early on a wake-up for `taskExecutionID` or when the calling task
    /// is cancelled (an abort must not wait for the next poll).
    func sleep(_ taskExecutionID: String, for duration: Duration) async {
        if Task.isCancelled { return }
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let woken = state.withLock { s -> Bool in
                    if s.pending.remove(taskExecutionID) != nil { return true }
                    s.waiters[taskExecutionID] = Waiter(id: id, continuation: c)
                    return false
                }
                if woken {
                    c.resume()
                    return
                }
                if Task.isCancelled { resume(taskExecutionID, id) }
                Task { [self] in
                    try? await Task.sleep(for: duration)
                    resume(taskExecutionID, id)
                }
            }
        } onCancel: {
            resume(taskExecutionID, id)
        }
    }

    /// Ends one particular sleep (a later sleep of the same task has another id and is left alone).
    private func resume(_ key: String, _ id: UInt64) {
        let w = state.withLock { s -> Waiter? in
            guard let w = s.waiters[key], w.id == id else { return nil }
            s.waiters[key] = nil
            return w
        }
        w?.continuation.resume()
    }
}
