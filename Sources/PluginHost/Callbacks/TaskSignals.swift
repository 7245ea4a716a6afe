import Synchronization

/// What plugins signal to the host about tasks (request_poll) and what the host signals to plugins
/// (is_cancelled). Both keyed by task execution id, both safe from any thread.
public final class TaskSignals: Sendable {
    private let cancelled = Mutex<Set<String>>([])
    private let urgent = Atomic<Bool>(false)
    private let wakeupHandler = Mutex<(@Sendable (String) -> Void)?>(nil)
    private let pendingWakeups = Mutex<Set<String>>([])
    private let hurryHandlers = Mutex<[@Sendable () -> Void]>([])

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

    /// The host is going away and cannot wait (a second interrupt): every cancelled task's is_cancelled
    /// answers 2, so an abort waiting out a grace period kills at once.
    public func hurry() {
        urgent.store(true, ordering: .relaxed)
        for handler in hurryHandlers.withLock({ $0 }) { handler() }
    }

    /// Calls `handler` when `hurry()` is called (at once if it was): how plugin runners learn of it.
    public func onHurry(_ handler: @escaping @Sendable () -> Void) {
        hurryHandlers.withLock { $0.append(handler) }
        if isHurried { handler() }
    }

    /// Whether `hurry()` was called: nothing should wait any longer.
    public var isHurried: Bool { urgent.load(ordering: .relaxed) }

    /// is_cancelled's answer: 0 running, 1 cancelled, 2 cancelled and urgent.
    func cancellationLevel(_ taskExecutionID: String) -> Int32 {
        guard isCancelled(taskExecutionID) else { return 0 }
        return urgent.load(ordering: .relaxed) ? 2 : 1
    }
}
