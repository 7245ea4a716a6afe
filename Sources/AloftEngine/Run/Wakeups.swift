import Synchronization

/// Lets a polling loop sleep until its poll-after time or until the plugin asks for an early poll
/// (request_poll), whichever comes first.
final class Wakeups: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, Never>
    }

    private let waiters = Mutex<[String: Waiter]>([:])
    private let pending = Mutex<Set<String>>([])
    private let counter = Atomic<UInt64>(0)

    /// A wake-up for `taskExecutionID` (from any thread).
    func signal(_ taskExecutionID: String) {
        let w = waiters.withLock { $0.removeValue(forKey: taskExecutionID) }
        if let w { w.continuation.resume() } else { _ = pending.withLock { $0.insert(taskExecutionID) } }
    }

    /// Sleeps up to `duration`, returning early on a wake-up for `taskExecutionID` or when the calling task
    /// is cancelled (an abort must not wait for the next poll).
    func sleep(_ taskExecutionID: String, for duration: Duration) async {
        if Task.isCancelled || pending.withLock({ $0.remove(taskExecutionID) }) != nil { return }
        let id = counter.wrappingAdd(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                waiters.withLock { $0[taskExecutionID] = Waiter(id: id, continuation: c) }
                // A wake-up or a cancellation may have arrived before registering.
                if Task.isCancelled || pending.withLock({ $0.remove(taskExecutionID) }) != nil { resume(taskExecutionID, id) }
                Task { [self] in
                    try? await Task.sleep(for: duration)
                    resume(taskExecutionID, id)
                }
            }
        } onCancel: {
            resume(taskExecutionID, id)
        }
    }

    private func resume(_ key: String, _ id: UInt64) {
        let w = waiters.withLock { all -> Waiter? in
            guard let w = all[key], w.id == id else { return nil }
            all[key] = nil
            return w
        }
        w?.continuation.resume()
    }
}
