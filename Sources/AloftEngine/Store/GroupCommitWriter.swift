import Dispatch
import Synchronization

/// The one writer of node transitions for a store: every write of every node of every execution the engine
/// drives is queued here, and the writer commits what has gathered in one transaction (a group commit), on
/// its own queue. A batch closes when the writer is free to take it: while one batch commits, the next
/// gathers, so a busy engine writes many nodes per transaction and an idle one waits for no timer.
///
/// `enqueue` returns at once with a ticket; whoever must not act before the write is durable waits for the
/// ticket (`wait`). A waiter that finds its batch still open and nobody committing commits it itself, on its
/// own thread (the leader of that batch): a lone chain pays no hop to the writer's queue and back. Batches commit in order, so a ticket that is durable makes every earlier write of the
/// same node durable too. A node written twice before its batch is taken is written once, as last given
/// (records are whole rows, upserted). A batch the store refuses is committed again node by node, so one
/// node's refused write does not fail the others' (each waiter hears of its own node's outcome).
final class GroupCommitWriter: Sendable {
    struct Ticket: Sendable, Hashable {
        let batch: UInt64
        let key: String
    }

    private struct Entry {
        var record: NodeRecord
        var lineage: [LineageEdge]
    }

    private struct State {
        /// The batch gathering now.
        var open: UInt64 = 1
        var order: [String] = []
        var pending: [String: Entry] = [:]
        /// A drain is queued on the writer's queue.
        var scheduled = false
        /// A batch is being committed (by the queue or by a waiter): one at a time, in order.
        var committing = false
        /// Every batch up to this one is settled.
        var settled: UInt64 = 0
        /// The last refused write of a node, by batch.
        var refused: [String: (batch: UInt64, error: String)] = [:]
        var waiters: [UInt64: [(key: String, continuation: CheckedContinuation<String?, Never>)]] = [:]
    }

    private let store: any ExecutionStore
    private let queue = DispatchQueue(label: "aloft.group-commit", qos: .userInitiated)
    private let state = Mutex(State())

    init(store: any ExecutionStore) { self.store = store }

    static func key(_ execution: String, _ node: String) -> String { execution + "\u{0}" + node }

    /// Queues the record (and the lineage it brings) for the next batch; does not wait.
    @discardableResult
    func enqueue(_ record: NodeRecord, lineage: [LineageEdge] = []) -> Ticket {
        let key = Self.key(record.execution, record.node)
        let (ticket, start) = state.withLock { s -> (Ticket, Bool) in
            if var entry = s.pending[key] {
                entry.record = record
                entry.lineage += lineage
                s.pending[key] = entry
            } else {
                s.order.append(key)
                s.pending[key] = Entry(record: record, lineage: lineage)
            }
            let start = !s.scheduled
            s.scheduled = true
            return (Ticket(batch: s.open, key: key), start)
        }
        if start { queue.async { self.drain() } }
        return ticket
    }

    /// Returns when the ticket's batch is committed: nil, or why the store refused the ticket's write.
    func wait(_ ticket: Ticket) async -> String? {
        let lead = state.withLock { s -> Batch? in
            guard ticket.batch == s.open, !s.committing, !s.order.isEmpty else { return nil }
            return Self.take(&s)
        }
        if let lead { commitAndSettle(lead) }
        return await withCheckedContinuation { (c: CheckedContinuation<String?, Never>) in
            let now = state.withLock { s -> String?? in
                guard ticket.batch > s.settled else { return .some(Self.outcome(of: ticket, s)) }
                s.waiters[ticket.batch, default: []].append((ticket.key, c))
                return .none
            }
            if let outcome = now { c.resume(returning: outcome) }
        }
    }

    /// Returns when every write queued so far is committed (or refused).
    func flush() async {
        let last = state.withLock { s in s.pending.isEmpty ? s.open - 1 : s.open }
        _ = await wait(Ticket(batch: last, key: ""))
    }

    /// True when the ticket's batch is committed and the ticket's write was not refused.
    func isDurable(_ ticket: Ticket) -> Bool {
        state.withLock { s in ticket.batch <= s.settled && Self.outcome(of: ticket, s) == nil }
    }

    private static func outcome(of ticket: Ticket, _ s: State) -> String? {
        guard let refused = s.refused[ticket.key], refused.batch == ticket.batch else { return nil }
        return refused.error
    }

    private typealias Batch = (number: UInt64, order: [String], entries: [String: Entry])

    /// Closes the open batch and marks it being committed (the caller checked nobody else is committing).
    private static func take(_ s: inout State) -> Batch {
        let batch = (s.open, s.order, s.pending)
        s.committing = true
        s.open += 1
        s.order = []
        s.pending = [:]
        return batch
    }

    /// Takes and commits batches until none is waiting, or a waiter is committing one (which queues a drain
    /// again when it is done if more gathered meanwhile).
    private func drain() {
        while true {
            let taken = state.withLock { s -> Batch? in
                guard !s.committing, !s.order.isEmpty else {
                    s.scheduled = false
                    return nil
                }
                return Self.take(&s)
            }
            guard let taken else { return }
            commitAndSettle(taken, fromQueue: true)
        }
    }

    /// Commits a taken batch and wakes its waiters; a waiter's batch left writes behind: a drain takes them.
    private func commitAndSettle(_ batch: Batch, fromQueue: Bool = false) {
        let refused = commit(batch.order.compactMap { batch.entries[$0] })
        let (waiting, again) = state.withLock { s in
            for (key, error) in refused { s.refused[key] = (batch.number, error) }
            s.settled = batch.number
            s.committing = false
            let again = !fromQueue && !s.scheduled && !s.order.isEmpty
            if again { s.scheduled = true }
            return (s.waiters.removeValue(forKey: batch.number) ?? [], again)
        }
        for w in waiting { w.continuation.resume(returning: refused[w.key]) }
        if again { queue.async { self.drain() } }
    }

    /// One transaction for the batch; if the store refuses it, one per node. The refused nodes, with why.
    private func commit(_ entries: [Entry]) -> [String: String] {
        do {
            try store.commit(entries.map(\.record), lineage: entries.flatMap(\.lineage))
            return [:]
        } catch {
            guard entries.count > 1 else {
                return entries.first.map { [Self.key($0.record.execution, $0.record.node): "\(error)"] } ?? [:]
            }
        }
        var refused: [String: String] = [:]
        for entry in entries {
            do { try store.commit([entry.record], lineage: entry.lineage) } catch {
                refused[Self.key(entry.record.execution, entry.record.node)] = "\(error)"
            }
        }
        return refused
    }
}
