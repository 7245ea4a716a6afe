import AloftCompiler
import AloftWire
import PluginHost
import Synchronization

/// A map's items over a synchronous task of an in-process plugin, run in batches (issue 18): up to `maxSize`
/// fresh items become ONE job on the plugin's (host-owned) thread instead of a job, a hop and two commits
/// each. On that thread: the items' marks ("run_sync in flight") committed in one group commit before the
/// first call, run_sync per item (the watchdog bounds each call by the call budget), each success's end
/// queued, and the ends committed in one group commit after the last call; only then are the items finished
/// for anyone else (events, the map's result). What is durable before what is unchanged: a call's mark before
/// the call (so a host that dies inside a batch counts a death for each item whose mark was durable and whose
/// end was not, issue 16), a result before anything outside the process sees it.
///
/// What does not end on the thread goes on from async code, as a lone item would: a failed call (a retryable
/// failure is a new attempt of that item only, TaskRunner.afterBatchedCall), an overrun (that item fails; the
/// items after it are run one by one), a cancellation (the running call is abandoned, the rest stop before
/// their calls and are aborted one by one), outputs too large for the row. Items resumed with a record of
/// their own, and tasks with a cache or a quota, keep the one-by-one path (TaskRunner.run).
struct SyncItemBatch {
    let context: ExecutionContext
    let plugin: LoadedPlugin

    /// The most items one job takes.
    static let maxSize = 256

    /// How many of a map's runners take batches: a batch holds a plugin thread for all its calls, so twice the
    /// plugin's threads keep them busy (one batch running, one being prepared), and fewer items wait announced
    /// in memory than with a runner per item of `concurrency` (at most one call runs per runner either way).
    func runners(upTo window: Int) -> Int { min(window, max(2, plugin.options.threads * 2)) }

    /// The batch runner for a map's items over `task`, when they can take this path.
    static func make(for task: CompiledTask, _ context: ExecutionContext) -> SyncItemBatch? {
        TaskRunner.inlineSyncPlugin(for: task, context).map { SyncItemBatch(context: context, plugin: $0) }
    }

    /// Runs every item to its end; their records in the runners' order.
    func run(_ runners: [TaskRunner]) async -> [NodeRecord] {
        var ends = [NodeRecord?](repeating: nil, count: runners.count)
        // The fresh items, each announced (its first attempt started, marked as in run_sync): which runner,
        // its record, its call (kept apart: a record is large, and every copy retains each of its fields).
        var indices: [Int] = []
        var records: [NodeRecord] = []
        var invocations: [TaskInvocation] = []
        // Aborted (Ctrl-C, executions abort): each item is aborted alone, with nothing announced for it.
        for (i, runner) in runners.enumerated() where !Task.isCancelled {
            guard context.record(runner.path) == nil,
                runner.inputs.canonicalBytes.count <= context.options.inlineValueLimit
            else { continue }
            switch runner.announceSync(on: plugin) {
            case .success(let announced):
                indices.append(i)
                records.append(announced.0)
                invocations.append(announced.1)
            case .failure(let stopped): ends[i] = stopped.record
            }
        }
        // Their marks queued at once, for the plugin's thread to commit before the first call.
        if !records.isEmpty, !context.store(all: records, committedByCaller: true) {
            for (i, record) in zip(indices, records) { ends[i] = record }
            (indices, records, invocations) = ([], [], [])
        }
        let (marked, calls) = (records, invocations)
        let end = await context.overall.run { await context.limiter.run { await self.calls(marked, calls) } }
        // Ends made on the thread but not committed there (a later item's call was abandoned) are queued now.
        if !end.committed { _ = context.store(all: end.ended.compactMap { $0 }) }
        for (k, i) in indices.enumerated() {
            if let ended = end.ended[k] {
                // Ended on the thread; committed there, or (abandoned batch) waited for here.
                if !end.committed, context.stopped.reason(ended.node) == nil, await context.durable(ended.node) {
                    context.events(.nodeFinished(path: ended.node, phase: ended.state.phase, cached: false))
                }
                ends[i] = ended
            } else if k < end.results.count {
                ends[i] = await runners[i].afterBatchedCall(records[k], end.results[k], plugin, invocations[k])
            } else {
                // Not called (an earlier item overran, the map was cancelled, a mark was refused): this item
                // goes on alone, its mark cleared. A refused batch never announced its items: they start afresh.
                var record = records[k]
                guard context.stopped.reason(record.node) == nil else {
                    ends[i] = record
                    continue
                }
                record.state.callInFlight = nil
                if end.refused { record.taskExecutionID = nil }
                guard context.store(record) else {
                    ends[i] = record
                    continue
                }
            }
        }
        var done: [NodeRecord] = []
        for (i, runner) in runners.enumerated() {
            if let ended = ends[i] {
                done.append(ended)
            } else {
                done.append(await runner.run())
            }
        }
        return done
    }

    /// The batch's job on the plugin's thread: what each item's call returned (in order; items past them were
    /// not called), and the items that ended there.
    private func calls(_ records: [NodeRecord], _ invocations: [TaskInvocation]) async -> BatchOutcome {
        guard !records.isEmpty else { return BatchOutcome(results: [], ended: [], committed: true, refused: false) }
        let context = self.context
        let ended = EndedInBatch(count: records.count)
        let end = await plugin.runSyncBatch(
            invocations,
            before: {
                // Every mark durable before the first call: one group commit for them all (none when another
                // thread's commit took them). A refused mark stops its node and no call is made.
                guard context.durableNow(all: records.map(\.node)).allSatisfy({ $0 }) else { return false }
                for record in records {
                    context.events(.nodeStarted(path: record.node, attempt: record.state.attempt))
                }
                return true
            },
            after: { k, outputs in
                if let record = TaskRunner.closedAttempt(records[k], outputs, context) { ended.set(k, record) }
            },
            finish: {
                KillPoint.reached("sync-batch-called")
                // Every end durable before anyone else sees it: one group commit for the batch's ends.
                let records = ended.all.compactMap { $0 }
                if !records.isEmpty, context.store(all: records, committedByCaller: true) {
                    for (record, durable) in zip(records, context.durableNow(all: records.map(\.node)))
                    where durable && context.stopped.reason(record.node) == nil {
                        context.events(.nodeFinished(path: record.node, phase: record.state.phase, cached: false))
                    }
                }
                ended.committed()
            })
        return BatchOutcome(results: end.results, ended: ended.all, committed: ended.isCommitted, refused: end.refused)
    }

    private struct BatchOutcome {
        /// What each item's call returned, in order; items past them were not called.
        var results: [Result<LiteralMap, TaskError>]
        /// The items that ended on the plugin's thread (their end queued there).
        var ended: [NodeRecord?]
        /// Those ends were committed there, and announced (not so when a later item's call was abandoned).
        var committed: Bool
        /// A mark was refused: no call was made.
        var refused: Bool
    }
}

/// The items of a batch that ended on the plugin's thread, read by the map's runner after the job.
private final class EndedInBatch: Sendable {
    private let slots: Mutex<(records: [NodeRecord?], committed: Bool)>

    init(count: Int) { slots = Mutex(([NodeRecord?](repeating: nil, count: count), false)) }

    func set(_ k: Int, _ record: NodeRecord) { slots.withLock { $0.records[k] = record } }

    func committed() { slots.withLock { $0.committed = true } }

    var all: [NodeRecord?] { slots.withLock { $0.records } }

    var isCommitted: Bool { slots.withLock { $0.committed } }
}
