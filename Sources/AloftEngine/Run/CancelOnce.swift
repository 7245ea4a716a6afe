import Synchronization

/// An execution's task, cancelled once asked: also when asked before the task is known (then as soon as it
/// is). `aloft run` cancels on a signal that may come before the run's task exists; tests cancel from an event
/// that may come before they hold the task.
public final class CancelOnce: Sendable {
    private let state = Mutex<(task: Task<ExecutionRecord, any Error>?, asked: Bool)>((nil, false))

    public init() {}

    public func set(_ task: Task<ExecutionRecord, any Error>) {
        if state.withLock({ s in
            s.task = task
            return s.asked
        }) {
            task.cancel()
        }
    }

    public func cancel() {
        state.withLock { s in
            s.asked = true
            return s.task
        }?.cancel()
    }
}
