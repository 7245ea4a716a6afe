import Dispatch
import Synchronization

/// The one writer of node transitions for a store: every write of every node of every execution the engine
/// drives is queued here, and the writer commits what has gathered in one transaction (a group commit), on
/// its own queue. A batch closes when the writer is free to take it: while one batch commits, the next
/// gathers, so a busy engine writes many nodes per transaction and an idle one waits for no timer.
///
/// `enqueue` returns at once with a ticket; whoever must not act before the write is durable waits for the
/// ticket (`wait`). Batches commit in order, so a ticket that is durable makes every earlier write of the
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
        var scheduled = false
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
        await withCheckedContinuation { (c: CheckedContinuation<String?, Never>) in
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

    /// Takes and commits batches until none is waiting.
    private func drain() {
        while true {
            let taken = state.withLock { s -> (UInt64, [String], [String: Entry])? in
                guard !s.order.isEmpty else {
                    s.scheduled = false
                    return nil
                }
                let batch = (s.open, s.order, s.pending)
                s.open += 1
                s.order = []
                s.pending = [:]
                return batch
            }
            guard let (batch, order, entries) = taken else { return }
            let refused = commit(order.compactMap { entries[$0] })
            let waiting = state.withLock { s in
                for (key, error) in refused { s.refused[key] = (batch, error) }
                s.settled = batch
                return s.waiters.removeValue(forKey: batch) ?? []
            }
            for w in waiting { w.continuation.resume(returning: refused[w.key]) }
        }
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
