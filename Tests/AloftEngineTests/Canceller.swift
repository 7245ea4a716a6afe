import AloftEngine
import Synchronization

/// Cancels a run once asked, whether asked before or after the run's task is known.
final class Canceller: Sendable {
    private let state = Mutex<(task: Task<ExecutionRecord, any Error>?, asked: Bool)>((nil, false))

    func set(_ task: Task<ExecutionRecord, any Error>) {
        if state.withLock({ s in
            s.task = task
            return s.asked
        }) {
            task.cancel()
        }
    }

    func cancel() {
        state.withLock { s in
            s.asked = true
            return s.task
        }?.cancel()
    }
}
