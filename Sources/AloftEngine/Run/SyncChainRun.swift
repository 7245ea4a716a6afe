import AloftWire
import PluginHost
import Synchronization

/// A chain's synchronous nodes as ONE job on the plugin's (host-owned) thread (issue 18): while a scope has
/// exactly one node to run and it is a fresh synchronous task of an in-process plugin, the node, and each
/// node that becomes the only one to run after it, are called one after another on that thread, with no hop
/// to Swift's task pool and back per node and one group commit per node instead of two.
///
/// On the thread: the first node's mark ("run_sync in flight") committed before its call, and its end after
/// it. From the second node on, with a call journal (a store on this machine, CallJournal), each call's mark
/// goes to the journal's memory-mapped slot and each node's end to the store's writer, which commits the ends
/// in groups on its own thread while the chain goes on; a node's events follow its commit. Without a journal
/// (PostgreSQL), a node's end and the next node's mark are one group commit before the next call. What is
/// durable before what is unchanged: a call's mark before the call (a host that dies inside it is counted,
/// issue 16: by the journal, or the store), a node's end before anything outside the process sees it (events,
/// the scope's next nodes and outputs: the scope waits for the chain's ends), and after a crash what was not
/// committed is computed again (run_sync is idempotent per task execution id).
///
/// What does not end on the thread goes on from async code, as a lone node would: a failed call (a retryable
/// failure is a new attempt, TaskRunner.afterBatchedCall), an overrun, a cancellation, outputs too large for
/// the row; a node announced and never called (cancelled between calls, a mark refused) has its mark cleared
/// and is left to the scope to run.
struct SyncChainRun {
    let context: ExecutionContext
    let plugin: LoadedPlugin

    /// One node of the chain: its index in the scope, its runner, its marked record and its call.
    /// A class: a chain of 10,000 keeps an entry per link, and the entries' array grew by copying every link's
    /// runner, record and call inline (several hundred bytes each) at each doubling.
    final class Link: Sendable {
        let index: Int
        let runner: TaskRunner
        let record: NodeRecord
        let invocation: TaskInvocation

        init(index: Int, runner: TaskRunner, record: NodeRecord, invocation: TaskInvocation) {
            self.index = index
            self.runner = runner
            self.record = record
            self.invocation = invocation
        }
    }

    /// The node after a link, as its scope names it: its index, its runner and the lineage its first commit
    /// writes.
    typealias Successor = (index: Int, runner: TaskRunner, lineage: [LineageEdge])

    /// How the chain ended, in the scope's terms.
    struct Outcome {
        enum End {
            case record(NodeRecord)
            /// Its success committed, or handed to the store's writer and settled since, on the thread: the
            /// record is the writer's alone (a chain of 10,000 held every node's), the scope needs the outputs.
            case succeeded(LiteralMap)
        }

        /// The nodes that ended, in order (on the thread, or after it from async code).
        var ended: [(index: Int, end: End)] = []
        /// A node announced and never called, its mark cleared: the scope runs it as any other.
        var pending: Int?
    }

    /// Runs `first` (a fresh node whose task `plugin` serves synchronously) and, while `successor` names one
    /// after a node's outputs, the node after it.
    func run(
        _ first: (index: Int, runner: TaskRunner),
        successor: @escaping @Sendable (_ after: Int, _ outputs: LiteralMap) -> Successor?
    ) async -> Outcome {
        let (context, plugin) = (self.context, self.plugin)
        var outcome = Outcome()
        let (record, invocation): (NodeRecord, TaskInvocation)
        switch first.runner.announceSync(on: plugin) {
        case .success(let announced): (record, invocation) = announced
        case .failure(let stopped):
            outcome.ended.append((first.index, .record(stopped.record)))
            return outcome
        }
        guard context.store(record, committedByCaller: true) else {
            outcome.ended.append((first.index, .record(record)))
            return outcome
        }
        let links = ChainLinks(Link(index: first.index, runner: first.runner, record: record, invocation: invocation))
        let journal = context.journal
        let end = await context.overall.run {
            await context.limiter.run {
                await plugin.runSyncChain(
                    invocation,
                    before: {
                        guard context.durableNow(record.node) else { return false }
                        context.events(.nodeStarted(path: record.node, attempt: record.state.attempt))
                        links.announced(0)
                        return true
                    },
                    next: { k, outputs in Self.link(after: k, outputs, links, successor, context, plugin, journal) })
            }
        }
        // The ends handed to the writer on the thread: settled before anything after them is looked at (batches
        // commit in order, and a refused one has stopped its node by then).
        if let last = links.lastHandedOff { _ = await context.commits.wait(last) }
        let entries = links.all
        if let slot = links.slot, !end.abandoned { journal?.release(slot) }
        for (k, entry) in entries.enumerated() {
            if let outputs = entry.committedOutputs {
                outcome.ended.append((entry.index, .succeeded(outputs)))
                continue
            }
            if let ended = entry.ended {
                // Ended on the thread, not committed there (the job ended early): stored here.
                if context.store(ended), await context.durable(ended.node) {
                    Self.announceEnd(ended, started: entry.announced, context)
                }
                outcome.ended.append((entry.index, .record(ended)))
                continue
            }
            // Not ended on the thread: the link is still held. Its lineage rides in its next commit.
            guard let link = entry.link else { continue }
            context.recordLineage(entry.lineage, at: link.record.node)
            if k < end.results.count {
                if !entry.announced {
                    context.events(.nodeStarted(path: link.record.node, attempt: link.record.state.attempt))
                }
                let record = await link.runner.afterBatchedCall(link.record, end.results[k], plugin, link.invocation)
                _ = await context.durable(record.node)
                outcome.ended.append((link.index, .record(record)))
            } else {
                var record = link.record
                guard context.stopped.reason(record.node) == nil else {
                    outcome.ended.append((link.index, .record(record)))
                    continue
                }
                // Never called: not in a call. A refused mark was never announced: the node starts afresh.
                record.state.callInFlight = nil
                if end.refused { record.taskExecutionID = nil }
                guard context.store(record) else {
                    outcome.ended.append((link.index, .record(record)))
                    continue
                }
                outcome.pending = link.index
            }
        }
        return outcome
    }

    /// On the plugin's thread, after link `k`'s call returned `outputs`: the node's end, the next node's call
    /// (nil: the job ends here) and what must be durable before it. With a journal (from the second link on),
    /// the next call's mark goes there and the node's end to the store's writer, which commits it with
    /// whatever else has gathered while this thread goes on (its events follow the commit, on the writer's
    /// thread); without one, the node's end and the next node's mark are one group commit before the next call.
    private static func link(
        after k: Int, _ outputs: LiteralMap, _ links: ChainLinks, _ successor: (Int, LiteralMap) -> Successor?,
        _ context: ExecutionContext, _ plugin: LoadedPlugin, _ journal: CallJournal?
    ) -> TaskInvocation? {
        links.slot?.leave()
        let called = links[k]
        // Outputs too large for the row, or not the node's end: ended from async code (afterBatchedCall).
        guard let ended = TaskRunner.closedAttempt(called.record, outputs, context) else {
            _ = commit(links, context)
            return nil
        }
        links.end(k, ended)
        var next: (link: Link, lineage: [LineageEdge])?
        // The next node's inputs fit in its row (its call's context holds them; checked alone only if it does not).
        if let (index, runner, lineage) = successor(called.index, outputs),
            case .success(let (record, invocation)) = runner.announceSync(on: plugin),
            invocation.context.count <= context.options.inlineValueLimit
                || runner.inputs.canonicalBytes.count <= context.options.inlineValueLimit
        {
            next = (Link(index: index, runner: runner, record: record, invocation: invocation), lineage)
        }
        guard let (next, lineage) = next else {
            _ = commit(links, context)
            return nil
        }
        // The first link's mark is in the store: its end is too before any journaled call.
        if k == 0, let journal, CallJournal.holds(next.record.node) { links.slot = journal.acquire() }
        if let slot = links.slot, CallJournal.holds(next.record.node) {
            // A link whose mark was stored (the first; one whose path was too long for the journal) has its end
            // committed here like its mark was, not handed off (which leaves no ticket or record behind).
            if links.isAnnounced(k) {
                guard commit(links, context) else { return nil }
            } else {
                handOff(links, context)
            }
            // Its lineage rides in its first commit, its end's.
            links.append(next, lineage: lineage)
            guard slot.enter(next.record.node, attempt: next.record.state.attempt) else { return nil }
            KillPoint.reached("sync-chain-call", count: links.count - 1)
            return next.invocation
        }
        // Its lineage rides in its first commit, its mark's.
        context.recordLineage(lineage, at: next.record.node)
        links.append(next, lineage: [])
        guard commit(links, context, mark: next.record) else { return nil }
        links.announced(links.count - 1)
        KillPoint.reached("sync-chain-linked")
        context.events(.nodeStarted(path: next.record.node, attempt: next.record.state.attempt))
        return next.invocation
    }

    /// On the plugin's thread: the ends not handed on yet go to the store's writer, not waited for; each
    /// node's events follow its commit (on the committing thread, in commit order), a refused one stops it.
    private static func handOff(_ links: ChainLinks, _ context: ExecutionContext) {
        for (record, announced, lineage) in links.takePending() {
            let ticket = context.handOff(record, lineage: lineage) { refused in
                if let refused {
                    context.stop(record.node, because: "cannot persist its state: \(refused)")
                } else {
                    announceEnd(record, started: announced, context)
                }
            }
            links.lastHandedOff = ticket
        }
    }

    /// On the plugin's thread: the ends not committed yet (and `mark`, the next call's) in one group commit,
    /// then the ends' events. True when all are durable.
    private static func commit(_ links: ChainLinks, _ context: ExecutionContext, mark: NodeRecord? = nil) -> Bool {
        let pending = links.takePending()
        for end in pending { context.recordLineage(end.lineage, at: end.record.node) }
        let writes = pending.map(\.record) + (mark.map { [$0] } ?? [])
        guard !writes.isEmpty else { return true }
        guard context.store(all: writes, committedByCaller: true) else { return false }
        let durable = context.durableNow(all: writes.map(\.node))
        for ((record, announced), ok) in zip(pending.map { ($0.record, $0.announced) }, durable) where ok {
            announceEnd(record, started: announced, context)
        }
        return durable.allSatisfy { $0 } && pending.allSatisfy { context.stopped.reason($0.record.node) == nil }
    }
}

extension SyncChainRun {
    /// A durable end's events, unless its node was stopped: its start first when that was not sent before it.
    fileprivate static func announceEnd(_ record: NodeRecord, started: Bool, _ context: ExecutionContext) {
        guard context.stopped.reason(record.node) == nil else { return }
        if !started { context.events(.nodeStarted(path: record.node, attempt: record.state.attempt)) }
        context.events(.nodeFinished(path: record.node, phase: record.state.phase, cached: false))
    }
}

/// The links of a chain and the ends made on the plugin's thread, read by the scope's task after the job.
private final class ChainLinks: Sendable {
    struct Entry: Sendable {
        /// The node's index in its scope.
        var index: Int
        /// Its runner, marked record and call, let go once it ended (a chain of 10,000 holds only the ends).
        var link: SyncChainRun.Link?
        /// The lineage its first commit writes, until taken (to the writer, or noted for the next commit).
        var lineage: [LineageEdge]
        /// Ended on the thread, not committed yet.
        var ended: NodeRecord?
        /// Its end was committed on the thread or handed to the store's writer there (or refused: its node is
        /// stopped): its outputs alone, the record is the writer's.
        var committedOutputs: LiteralMap?
        /// Its started event was sent (journaled calls send it with the finished one).
        var announced = false
    }

    private struct State {
        var entries: [Entry]
        /// Ended, not committed yet, in order.
        var pending: [Int] = []
        var slot: CallJournal.Slot?
        var lastHandedOff: GroupCommitWriter.Ticket?
    }

    private let state: Mutex<State>

    init(_ first: SyncChainRun.Link) {
        state = Mutex(State(entries: [Entry(index: first.index, link: first, lineage: [])]))
    }

    /// Link `k`, not ended yet.
    subscript(k: Int) -> SyncChainRun.Link { state.withLock { $0.entries[k].link! } }

    var count: Int { state.withLock { $0.entries.count } }

    var slot: CallJournal.Slot? {
        get { state.withLock { $0.slot } }
        set { state.withLock { $0.slot = newValue } }
    }

    /// The ticket of the last end handed to the store's writer: once it is settled, so are all before it.
    var lastHandedOff: GroupCommitWriter.Ticket? {
        get { state.withLock { $0.lastHandedOff } }
        set { state.withLock { $0.lastHandedOff = newValue } }
    }

    func append(_ link: SyncChainRun.Link, lineage: [LineageEdge]) {
        state.withLock { $0.entries.append(Entry(index: link.index, link: link, lineage: lineage)) }
    }

    func announced(_ k: Int) { state.withLock { $0.entries[k].announced = true } }

    func isAnnounced(_ k: Int) -> Bool { state.withLock { $0.entries[k].announced } }

    func end(_ k: Int, _ record: NodeRecord) {
        state.withLock { s in
            s.entries[k].ended = record
            s.entries[k].link = nil
            s.pending.append(k)
        }
    }

    /// The pending ends, taken to be committed (marked so, whatever the commit's outcome: a refused one
    /// stopped its node), with the lineage each brings.
    func takePending() -> [(record: NodeRecord, announced: Bool, lineage: [LineageEdge])] {
        state.withLock { s in
            defer { s.pending = [] }
            return s.pending.map { k in
                let record = s.entries[k].ended!
                let lineage = s.entries[k].lineage
                s.entries[k].ended = nil
                s.entries[k].lineage = []
                s.entries[k].committedOutputs = record.outputs ?? [:]
                return (record, s.entries[k].announced, lineage)
            }
        }
    }

    var all: [Entry] { state.withLock { $0.entries } }
}
