import AloftEngine
import FoundationEssentials
import Synchronization

/// Executions the server's engine runs for API requests, each in its own task. A request returns once its
/// execution is stored (so a GET right after finds it), not when it ends. Stopping the server cancels them:
/// the engine aborts their running nodes through the plugins, as Ctrl-C does for `aloft run`.
final class BackgroundRuns: Sendable {
    let engine: ExecutionEngine
    private let running = Mutex<[String: Task<Void, Never>]>([:])

    init(engine: ExecutionEngine) { self.engine = engine }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `body` (which creates execution `id` and runs it) and waits until the execution is stored.
    /// A failure before that (bad inputs, an unreadable plan) is thrown.
    func start(_ id: String, _ body: @escaping @Sendable () async throws -> ExecutionRecord) async throws {
        let failure = Mutex<String?>(nil)
        let task = Task {
            do { _ = try await body() } catch {
                failure.withLock { $0 = (error as? ExecutionEngine.Failure)?.message ?? "\(error)" }
            }
            _ = self.running.withLock { $0.removeValue(forKey: id) }
        }
        running.withLock { $0[id] = task }
        while try engine.store.execution(id: id) == nil {
            if let message = failure.withLock({ $0 }) { throw StartFailure(description: message) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Cancels every execution still running here and waits for their nodes to stop.
    func stopAll() async {
        let tasks = running.withLock { Array($0.values) }
        for t in tasks { t.cancel() }
        for t in tasks { await t.value }
    }
}
