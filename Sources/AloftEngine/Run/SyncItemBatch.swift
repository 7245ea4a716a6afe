import AloftCompiler
import AloftWire
import PluginHost
import Synchronization

/// A map's items over a synchronous task of an in-process plugin, run in batches (issue 18): up to `maxSize`
/// fresh items become ONE job on the plugin's (host-owned) thread instead of a job, a hop and two commits
/// each. On that thread: the first item's mark ("run_sync in flight") committed before the first call (which
/// also checks that the execution is still this host's), run_sync per item (the watchdog bounds each call by
/// the call budget) with each later item's mark in the execution's call journal just before its call (a
/// memory-mapped slot, CallJournal, as a chain's), each success's end queued, and the ends committed in one
/// group commit after the last call; only then are the items finished for anyone else (events, the map's
/// result). Without a journal (PostgreSQL) every item's mark is committed before the first call. What is
/// durable before what is unchanged: a call's mark before the call (so a host that dies inside a call counts
/// a death for that item, issue 16: by the journal, or the store), a result before anything outside the
/// process sees it; after a crash an item not committed is computed again (run_sync is idempotent).
///
/// A row per item for the marks was a third of a map's time: journaled, a map of 100,000 takes 0.68× as long
/// (side by side, README Performance).
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

    /// Journaled calls made by this process, for crash tests (ALOFT_TEST_KILL_AT=sync-batch-call@n).
    private static let journaledCalls = Atomic<Int>(0)

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
            // A host before this one died in its journaled call: alone, where that death is counted.
            guard context.record(runner.path) == nil, context.diedInCall(runner.path) == nil,
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
        // The marks to store (the first item's with a journal slot, else all) queued at once, for the plugin's
        // thread to commit before the first call.
        let journal = records.count > 1 ? context.journal : nil
        var slot = journal.flatMap { j in
            records.allSatisfy { CallJournal.holds($0.node) } ? j.acquire() : nil
        }
        let stored = slot == nil ? records : Array(records.prefix(1))
        if !stored.isEmpty, !context.store(all: stored, committedByCaller: true) {
            for (i, record) in zip(indices, records) { ends[i] = record }
            (indices, records, invocations) = ([], [], [])
            if let s = slot { journal?.release(s) }
            slot = nil
        }
        let (marked, calls, journaled) = (records, invocations, slot)
        let end = await context.overall.run {
            await context.limiter.run { await self.calls(marked, calls, storedMarks: stored.count, slot: journaled) }
        }
        // A slot whose call was abandoned (still running) is never given back.
        if let journaled, !end.abandoned { journal?.release(journaled) }
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
    /// `storedMarks`: how many of the items (from the first) have their mark queued in the store; `slot`: the
    /// journal slot the others' calls are marked in.
    private func calls(
        _ records: [NodeRecord], _ invocations: [TaskInvocation], storedMarks: Int, slot: CallJournal.Slot?
    ) async -> BatchOutcome {
        guard !records.isEmpty else {
            return BatchOutcome(results: [], ended: [], committed: true, refused: false, abandoned: false)
        }
        let context = self.context
        let ended = EndedInBatch(count: records.count)
        let end = await plugin.runSyncBatch(
            invocations,
            before: {
                // Every stored mark durable before the first call: one group commit for them all (none when
                // another thread's commit took them). A refused mark stops its node and no call is made.
                guard context.durableNow(all: records.prefix(storedMarks).map(\.node)).allSatisfy({ $0 }) else {
                    return false
                }
                for record in records {
                    context.events(.nodeStarted(path: record.node, attempt: record.state.attempt))
                }
                return true
            },
            willCall: { k in
                guard k >= storedMarks, let slot else { return }
                // A path too long was checked before the slot was taken.
                _ = slot.enter(records[k].node, attempt: records[k].state.attempt)
                KillPoint.reached("sync-batch-call", count: Self.journaledCalls.add(1, ordering: .relaxed).newValue)
            },
            after: { k, outputs in
                slot?.leave()
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
        return BatchOutcome(
            results: end.results, ended: ended.all, committed: ended.isCommitted, refused: end.refused,
            abandoned: end.abandoned)
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
        /// The last call was abandoned: it may still be running (its journal slot stays taken).
        var abandoned: Bool
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
