import Synchronization

/// What plugins signal to the host about tasks (request_poll) and what the host signals to plugins
/// (is_cancelled). Both keyed by task execution id, both safe from any thread.
public final class TaskSignals: Sendable {
    private let cancelled = Mutex<Set<String>>([])
    private let wakeupHandler = Mutex<(@Sendable (String) -> Void)?>(nil)
    private let pendingWakeups = Mutex<Set<String>>([])

    public init() {}

    /// The plugin asked for an early poll of this task.
    func requestPoll(_ taskExecutionID: String) {
        if let handler = wakeupHandler.withLock({ $0 }) {
            handler(taskExecutionID)
        } else {
            _ = pendingWakeups.withLock { $0.insert(taskExecutionID) }
        }
    }

    /// Installs the engine's wake-up handler; wake-ups that arrived before it are delivered now.
    public func onWakeup(_ handler: @escaping @Sendable (String) -> Void) {
        wakeupHandler.withLock { $0 = handler }
        let early = pendingWakeups.withLock { p -> Set<String> in
            defer { p.removeAll() }
            return p
        }
        for id in early { handler(id) }
    }

    /// Wake-ups received while no handler was installed (taken, so each is seen once).
    public func takePendingWakeups() -> Set<String> {
        pendingWakeups.withLock { p in
            defer { p.removeAll() }
            return p
        }
    }

    public func cancel(_ taskExecutionID: String) { _ = cancelled.withLock { $0.insert(taskExecutionID) } }

    public func forget(_ taskExecutionID: String) { _ = cancelled.withLock { $0.remove(taskExecutionID) } }

    public func isCancelled(_ taskExecutionID: String) -> Bool { cancelled.withLock { $0.contains(taskExecutionID) } }
}
