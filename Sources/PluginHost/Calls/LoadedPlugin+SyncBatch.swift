public import AloftWire
import Logging
import Synchronization

/// How a batch of synchronous calls ended (see `LoadedPlugin.runSyncBatch`).
public struct SyncBatchEnd: Sendable {
    /// Per item called, in order from the first: its outputs, or the attempt's error (the plugin's, an overrun,
    /// a cancellation). Items past these were not called.
    public var results: [Result<LiteralMap, TaskError>]
    /// `before` said not to make the calls: none was made.
    public var refused: Bool
    /// The last call was abandoned (it overran, or the waiter was cancelled): it may still be running.
    public var abandoned = false
}

extension LoadedPlugin {
    /// Runs tasks of a synchronous type (fresh attempts with no call of theirs in flight) one after another as
    /// ONE job on the plugin's (host-owned) thread, each `run_sync` call bounded by the call budget as
    /// `runSync` bounds one: a call that overruns fails its task and the rest are not called; a cancelled
    /// waiter abandons the running call, or stops before the next one. The caller's own work runs on that
    /// thread outside every budget, so none of it hops back to Swift's task pool: `before` first (false: no
    /// call is made), `after` with the outputs of each call that returned within its budget, `finish` after the
    /// last call (not after an abandoned one); `willCall` with each task's index just before its call, within
    /// its budget (it must be quick). The engine commits the tasks' marks in `before` (or journals each call
    /// in `willCall`) and their ends in `after` and `finish` (a map's items in batches, issue 18).
    public func runSyncBatch(
        _ tasks: [TaskInvocation], before: @escaping @Sendable () -> Bool,
        willCall: @escaping @Sendable (Int) -> Void = { _ in },
        after: @escaping @Sendable (Int, LiteralMap) -> Void, finish: @escaping @Sendable () -> Void
    ) async -> SyncBatchEnd {
        guard !tasks.isEmpty else { return SyncBatchEnd(results: [], refused: false) }
        return await runSyncSequence(
            SyncTaskList(tasks), count: tasks.count, before: before, willCall: willCall,
            after: { k, outputs, _ in
                after(k, outputs)
                return true
            }, finish: finish)
    }

    /// `runSyncBatch` for a chain (issue 18): the tasks are known one at a time. `first` is called, then
    /// `next` with each call's outputs (on the plugin's thread, outside every budget) gives the task to call
    /// after it, or nil to end the job there; a failed or abandoned call ends it too. The engine commits a
    /// node's end and the next node's mark in one group commit in `next`.
    public func runSyncChain(
        _ first: TaskInvocation, before: @escaping @Sendable () -> Bool,
        next: @escaping @Sendable (Int, LiteralMap) -> TaskInvocation?
    ) async -> SyncBatchEnd {
        await runSyncSequence(
            SyncTaskList([first]), count: .max, before: before,
            after: { k, outputs, tasks in
                guard let task = next(k, outputs) else { return false }
                tasks.moveOn(to: task)
                return true
            }, finish: {})
    }

    /// The calls of `tasks` in order as one job (see runSyncBatch); `after` false: no further call.
    private func runSyncSequence(
        _ tasks: SyncTaskList, count: Int, before: @escaping @Sendable () -> Bool,
        willCall: @escaping @Sendable (Int) -> Void = { _ in },
        after: @escaping @Sendable (Int, LiteralMap, SyncTaskList) -> Bool, finish: @escaping @Sendable () -> Void
    ) async -> SyncBatchEnd {
        let body: CallBody
        do throws(TaskError) { body = try syncBody(tasks[0]) } catch {
            return SyncBatchEnd(results: (0..<tasks.count).map { _ in .failure(error) }, refused: false)
        }
        let (pluginID, logger) = (id, services.logger)
        let end = await pool.runAbandonableBatch(
            count: count, budget: options.callBudget, cancellable: true,
            onAbandon: { [self] k, why in
                if case .cancelled = why { services.signals.cancel(tasks[k].executionID) }
                markStuck(tasks[k].executionID, call: "run_sync")
            },
            onLateReturn: { [self] k, elapsed in
                markReturned(tasks[k].executionID)
                logger.warning(
                    "plugin \(pluginID): run_sync of \(tasks[k].executionID) returned after \(elapsed), past its budget"
                )
            },
            prelude: before,
            onReturn: { k, result in
                guard case .success(let outputs) = result else { return false }
                return after(k, outputs, tasks)
            },
            epilogue: finish
        ) { [self] k -> Result<LiteralMap, TaskError> in
            let task = tasks[k]
            // Checked per call: the overruns of earlier items may have quarantined the plugin.
            if isQuarantined { return .failure(quarantined()) }
            willCall(k)
            services.secretPolicy.grant(plugin: pluginID, task: task.executionID, secrets: task.secrets)
            defer {
                services.secretPolicy.revoke(plugin: pluginID, task: task.executionID)
                services.signals.forget(task.executionID)
            }
            do throws(TaskError) { return .success(try syncOutputs(bound(task, body)(), task: task)) } catch {
                return .failure(error)
            }
        }
        var results = end.returned
        if let why = end.abandoned {
            let task = tasks[results.count]
            services.secretPolicy.revoke(plugin: pluginID, task: task.executionID)
            services.signals.forget(task.executionID)
            results.append(.failure(abandonedError(why, call: "run_sync", lane: task.executionID)))
        }
        return SyncBatchEnd(results: results, refused: end.refused, abandoned: end.abandoned != nil)
    }
}

/// The tasks of a batch or chain, read by the pool's hooks on other threads. A chain's list holds only the
/// task being called (`moveOn`): the hooks only ever look at the current call, and a chain of 10,000 held every
/// call's context (most of its memory, first touched on the plugin's thread).
final class SyncTaskList: Sendable {
    private struct State {
        /// The index of `tasks[0]` in the batch or chain.
        var first = 0
        var tasks: [TaskInvocation]
    }

    private let state: Mutex<State>

    init(_ tasks: [TaskInvocation]) { state = Mutex(State(tasks: tasks)) }

    /// Task `k`: a batch's any, a chain's current one.
    subscript(k: Int) -> TaskInvocation { state.withLock { $0.tasks[k - $0.first] } }

    var count: Int { state.withLock { $0.first + $0.tasks.count } }

    /// A chain's next task, called after the last one (which is let go).
    func moveOn(to task: TaskInvocation) {
        state.withLock { s in
            s.first += s.tasks.count
            s.tasks = [task]
        }
    }
}
