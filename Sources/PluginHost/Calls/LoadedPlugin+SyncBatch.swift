public import AloftWire
import Logging

/// How a batch of synchronous calls ended (see `LoadedPlugin.runSyncBatch`).
public struct SyncBatchEnd: Sendable {
    /// Per item called, in order from the first: its outputs, or the attempt's error (the plugin's, an overrun,
    /// a cancellation). Items past these were not called.
    public var results: [Result<LiteralMap, TaskError>]
    /// `before` said not to make the calls: none was made.
    public var refused: Bool
}

extension LoadedPlugin {
    /// Runs tasks of a synchronous type (fresh attempts with no call of theirs in flight) one after another as
    /// ONE job on the plugin's (host-owned) thread, each `run_sync` call bounded by the call budget as
    /// `runSync` bounds one: a call that overruns fails its task and the rest are not called; a cancelled
    /// waiter abandons the running call, or stops before the next one. The caller's own work runs on that
    /// thread outside every budget, so none of it hops back to Swift's task pool: `before` first (false: no
    /// call is made), `after` with the outputs of each call that returned within its budget, `finish` after the
    /// last call (not after an abandoned one). The engine commits the tasks' marks in `before` and their ends
    /// in `after` and `finish` (a map's items in batches, issue 18).
    public func runSyncBatch(
        _ tasks: [TaskInvocation], before: @escaping @Sendable () -> Bool,
        after: @escaping @Sendable (Int, LiteralMap) -> Void, finish: @escaping @Sendable () -> Void
    ) async -> SyncBatchEnd {
        guard let first = tasks.first else { return SyncBatchEnd(results: [], refused: false) }
        let runs: [@Sendable () -> CallResult]
        do throws(TaskError) {
            let body = try syncBody(first)
            runs = tasks.map { bound($0, body) }
        } catch {
            return SyncBatchEnd(results: tasks.map { _ in .failure(error) }, refused: false)
        }
        let (pluginID, logger) = (id, services.logger)
        let end = await pool.runAbandonableBatch(
            count: tasks.count, budget: options.callBudget, cancellable: true,
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
            onReturn: { k, result in if case .success(let outputs) = result { after(k, outputs) } },
            epilogue: finish
        ) { [self] k -> Result<LiteralMap, TaskError> in
            let task = tasks[k]
            // Checked per call: the overruns of earlier items may have quarantined the plugin.
            if isQuarantined { return .failure(quarantined()) }
            services.secretPolicy.grant(plugin: pluginID, task: task.executionID, secrets: task.secrets)
            defer {
                services.secretPolicy.revoke(plugin: pluginID, task: task.executionID)
                services.signals.forget(task.executionID)
            }
            do throws(TaskError) { return .success(try syncOutputs(runs[k](), task: task)) } catch {
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
        return SyncBatchEnd(results: results, refused: end.refused)
    }
}
