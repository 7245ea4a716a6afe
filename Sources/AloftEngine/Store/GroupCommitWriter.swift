import Dispatch
import FoundationEssentials
import Synchronization

/// The one writer of node transitions for a store: every write of every node of every execution the engine
/// drives is queued here, and what has gathered is committed in one transaction (a group commit). A batch
/// closes when a committer is free to take it: while one batch commits, the next gathers, so a busy engine
/// writes many nodes per transaction and an idle one waits for no timer.
///
/// `enqueue` returns at once with a ticket; whoever must not act before the write is durable waits for it.
/// Who commits, and on which thread, is the point of this type (see docs/architecture.md):
/// - From async code, `wait` only suspends: the writer's own queue commits the batch and resumes it. Nothing
///   here ever commits on, or blocks, a thread of Swift's cooperative pool (two threads on a 2-core machine:
///   a commit or a wait there can stall every task of the process).
/// - A host-owned thread (a plugin pool thread running a synchronous call) commits with `commitNow`: it
///   leads the batch itself when nobody is committing, or blocks until the batch being committed settles.
///   Such a write is queued with `committedByCaller` and wakes no queue.
/// The writer's queue is woken once per batch that needs it (a write from async code, or an async wait on
/// the open batch), not once per write.
///
/// Batches commit in order, so a ticket that is durable makes every earlier write of the same node durable
/// too. A node written twice before its batch is taken is written once, as last given (records are whole
/// rows, upserted). A batch the store refuses is committed again node by node, so one node's refused write
/// does not fail the others' (each waiter hears of its own node's outcome).
final class GroupCommitWriter: Sendable {
    struct Ticket: Sendable, Hashable {
        let batch: UInt64
        let key: String
    }

    private struct Entry {
        var record: NodeRecord
        var lineage: [LineageEdge]
        /// Run once the batch holding the write settles, before its waiters resume: nil, or why the store
        /// refused the write.
        var settled: [@Sendable (String?) -> Void] = []
    }

    private struct State {
        /// The batch gathering now.
        var open: UInt64 = 1
        var order: [String] = []
        var pending: [String: Entry] = [:]
        /// The open batch holds a write or a wait only the writer's queue will commit.
        var openNeedsWriter = false
        /// A drain is queued on, or running on, the writer's queue.
        var scheduled = false
        /// A batch is being committed (by the queue or by a host thread): one at a time, in order.
        var committing = false
        /// Every batch up to this one is settled.
        var settled: UInt64 = 0
        /// The last refused write of a node, by batch.
        var refused: [String: (batch: UInt64, error: String)] = [:]
        var waiters: [UInt64: [(key: String, continuation: CheckedContinuation<String?, Never>)]] = [:]
        /// Host threads blocked in `commitNow` until the batch being committed settles, by batch.
        var blocked: [UInt64: [DispatchSemaphore]] = [:]
        /// Executions whose writes are refused, with why and who drives them now (see fence).
        var fenced: [String: Fence] = [:]
        /// Executions whose writes are committed only while the given process holds their lease (see hold).
        var held: [String: LeaseHolder] = [:]
    }

    /// Why an execution's writes are refused: this process lost its lease to `holder` ("no process" when the
    /// lease is gone).
    struct Fence: Sendable {
        let why: String
        let holder: String
    }

    private enum Step {
        case settled(String?)
        case lead(Batch)
        case blocked(DispatchSemaphore)
    }

    private let store: any ExecutionStore
    private let queue = DispatchQueue(label: "aloft.group-commit", qos: .userInitiated)
    private let state = Mutex(State())

    init(store: any ExecutionStore) { self.store = store }

    static func key(_ execution: String, _ node: String) -> String { execution + "\u{0}" + node }

    /// Queues the record (and the lineage it brings) for the next batch; does not wait. `committedByCaller`:
    /// the caller commits it with `commitNow` on a host-owned thread, so the writer's queue is not woken for it.
    /// `onSettled` runs on the committing thread (never Swift's cooperative pool) once the write's batch
    /// settles, in batch order, before anyone waiting for the batch resumes.
    @discardableResult
    func enqueue(
        _ record: NodeRecord, lineage: [LineageEdge] = [], committedByCaller: Bool = false,
        onSettled: (@Sendable (String?) -> Void)? = nil
    ) -> Ticket {
        let key = Self.key(record.execution, record.node)
        let (ticket, arm) = state.withLock { s -> (Ticket, Bool) in
            Self.add(record, lineage, key, to: &s, onSettled: onSettled)
            if !committedByCaller { s.openNeedsWriter = true }
            return (Ticket(batch: s.open, key: key), Self.arm(&s))
        }
        if arm { queue.async { self.drain() } }
        return ticket
    }

    /// `enqueue` for several records at once (with the lineage each brings), under one lock (a map's batch of
    /// items); each is written as updated at `now`.
    @discardableResult
    func enqueue(
        all records: [NodeRecord], lineage: [[LineageEdge]], at now: Date, committedByCaller: Bool = false
    ) -> [Ticket] {
        let keys = records.map { Self.key($0.execution, $0.node) }
        let (tickets, arm) = state.withLock { s -> ([Ticket], Bool) in
            for (k, key) in keys.enumerated() {
                var record = records[k]
                record.updatedAt = now
                Self.add(record, lineage[k], key, to: &s)
            }
            if !committedByCaller && !records.isEmpty { s.openNeedsWriter = true }
            return (keys.map { Ticket(batch: s.open, key: $0) }, Self.arm(&s))
        }
        if arm { queue.async { self.drain() } }
        return tickets
    }

    /// The write joins the open batch; a node written twice before its batch is taken is written once, as last
    /// given.
    private static func add(
        _ record: NodeRecord, _ lineage: [LineageEdge], _ key: String, to s: inout State,
        onSettled: (@Sendable (String?) -> Void)? = nil
    ) {
        if var entry = s.pending[key] {
            entry.record = record
            entry.lineage += lineage
            if let onSettled { entry.settled.append(onSettled) }
            s.pending[key] = entry
        } else {
            s.order.append(key)
            s.pending[key] = Entry(record: record, lineage: lineage, settled: onSettled.map { [$0] } ?? [])
        }
    }

    /// Returns when the ticket's batch is committed: nil, or why the store refused the ticket's write.
    /// Suspends; never commits on the calling thread (see the type's comment).
    func wait(_ ticket: Ticket) async -> String? {
        let settled = state.withLock { s -> String?? in
            ticket.batch <= s.settled ? .some(Self.outcome(of: ticket, s)) : .none
        }
        if let settled { return settled }
        return await withCheckedContinuation { (c: CheckedContinuation<String?, Never>) in
            let (now, arm) = state.withLock { s -> (String??, Bool) in
                guard ticket.batch > s.settled else { return (.some(Self.outcome(of: ticket, s)), false) }
                s.waiters[ticket.batch, default: []].append((ticket.key, c))
                // A batch already taken is being committed: its committer resumes this wait when it settles.
                if ticket.batch == s.open { s.openNeedsWriter = true }
                return (.none, Self.arm(&s))
            }
            if let now { c.resume(returning: now) }
            if arm { queue.async { self.drain() } }
        }
    }

    /// Commits the ticket's batch on the calling thread and returns as `wait` does. Only for host-owned
    /// threads (never Swift's cooperative pool): it does the store's I/O, and blocks while another committer
    /// commits an earlier batch.
    func commitNow(_ ticket: Ticket) -> String? {
        while true {
            let step = state.withLock { s -> Step in
                if ticket.batch <= s.settled { return .settled(Self.outcome(of: ticket, s)) }
                // Nobody committing: every earlier batch is settled, so the ticket's batch is the open one.
                if !s.committing { return .lead(Self.take(&s)) }
                let gate = DispatchSemaphore(value: 0)
                s.blocked[s.open - 1, default: []].append(gate)
                return .blocked(gate)
            }
            switch step {
            case .settled(let outcome): return outcome
            case .lead(let batch): commitAndSettle(batch)
            case .blocked(let gate): gate.wait()
            }
        }
    }

    /// `commitNow` for several tickets: their batches committed (one commit when they share the open batch),
    /// then each ticket's outcome, in order.
    func commitNow(all tickets: [Ticket]) -> [String?] {
        guard let last = tickets.max(by: { $0.batch < $1.batch }) else { return [] }
        _ = commitNow(last)
        return state.withLock { s in tickets.map { Self.outcome(of: $0, s) } }
    }

    /// From now on the execution's writes commit only while `holder` holds its lease, checked by the store in
    /// the commit's own transaction; a commit that finds the lease lost fences the execution. Lifts an earlier
    /// fence: this process holds the lease (again).
    func hold(_ execution: String, by holder: LeaseHolder) {
        state.withLock { s in
            s.held[execution] = holder
            s.fenced.removeValue(forKey: execution)
        }
    }

    /// The execution ended in this process: its writes are no longer checked against a lease (a fence stays).
    func letGo(_ execution: String) { state.withLock { _ = $0.held.removeValue(forKey: execution) } }

    /// Refuses, with `why`, every write of `execution` not committed yet and every later one: this process
    /// lost the execution's lease to `holder`, which drives it now (ExecutionLease). A refused write stops its
    /// node, and nothing a node does after a write waits for it, so the execution's runners stop acting. The
    /// heartbeat fences when it fails to renew; a commit fences when the store finds the lease lost.
    func fence(_ execution: String, because why: String, holder: String) {
        state.withLock { s in
            if s.fenced[execution] == nil { s.fenced[execution] = Fence(why: why, holder: holder) }
        }
    }

    /// The store refused a write of the execution: this process no longer holds its lease, `holder` does.
    /// Fences the execution; the fence it has now.
    @discardableResult
    func leaseLost(_ execution: String, to holder: String) -> Fence {
        let fence = Fence(why: ExecutionLease.lostMessage(execution, to: holder), holder: holder)
        return state.withLock { s in
            if s.fenced[execution] == nil { s.fenced[execution] = fence }
            return s.fenced[execution] ?? fence
        }
    }

    /// Why the execution's writes are refused, if they are.
    func fence(of execution: String) -> Fence? { state.withLock { $0.fenced[execution] } }

    /// Returns when every write queued so far is committed (or refused).
    func flush() async {
        let last = state.withLock { s in s.pending.isEmpty ? s.open - 1 : s.open }
        _ = await wait(Ticket(batch: last, key: ""))
    }

    /// True when the ticket's batch is committed and the ticket's write was not refused.
    func isDurable(_ ticket: Ticket) -> Bool {
        state.withLock { s in ticket.batch <= s.settled && Self.outcome(of: ticket, s) == nil }
    }

    /// The tickets among `tickets` whose batch is committed and whose write was not refused, under one look at
    /// the writer's state (a caller pruning thousands of tickets would otherwise take its lock for each).
    func durable(among tickets: [Ticket]) -> Set<Ticket> {
        state.withLock { s in
            var durable = Set<Ticket>()
            for t in tickets where t.batch <= s.settled && Self.outcome(of: t, s) == nil { durable.insert(t) }
            return durable
        }
    }

    private static func outcome(of ticket: Ticket, _ s: State) -> String? {
        guard let refused = s.refused[ticket.key], refused.batch == ticket.batch else { return nil }
        return refused.error
    }

    /// True when the writer's queue must be woken: the open batch needs it and no drain is queued or running.
    private static func arm(_ s: inout State) -> Bool {
        guard s.openNeedsWriter, !s.scheduled else { return false }
        s.scheduled = true
        return true
    }

    private typealias Batch = (number: UInt64, order: [String], entries: [String: Entry])

    /// Closes the open batch and marks it being committed (the caller checked nobody else is committing).
    private static func take(_ s: inout State) -> Batch {
        let batch = (s.open, s.order, s.pending)
        s.committing = true
        s.open += 1
        s.order = []
        s.pending = [:]
        s.openNeedsWriter = false
        return batch
    }

    /// On the writer's queue: takes and commits batches until none is gathering, or a host thread is
    /// committing one (whose settling wakes the queue again if the open batch needs it).
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

    /// Commits a taken batch and wakes whoever waits for it.
    private func commitAndSettle(_ batch: Batch, fromQueue: Bool = false) {
        let entries = batch.order.compactMap { batch.entries[$0] }
        let (fenced, held) = state.withLock { ($0.fenced, $0.held) }
        var refused: [String: String]
        if fenced.isEmpty {
            refused = commit(entries, held: held)
        } else {
            refused = [:]
            for entry in entries {
                if let fence = fenced[entry.record.execution] {
                    refused[Self.key(entry.record.execution, entry.record.node)] = fence.why
                }
            }
            refused.merge(commit(entries.filter { fenced[$0.record.execution] == nil }, held: held)) { fence, _ in
                fence
            }
        }
        for entry in entries where !entry.settled.isEmpty {
            let why = refused[Self.key(entry.record.execution, entry.record.node)]
            for hook in entry.settled { hook(why) }
        }
        let (waiting, blocked, arm) = state.withLock { s in
            for (key, error) in refused { s.refused[key] = (batch.number, error) }
            s.settled = batch.number
            s.committing = false
            // The queue's own drain goes on taking batches; a host thread's commit hands the open batch to it.
            let arm = !fromQueue && Self.arm(&s)
            return (
                s.waiters.removeValue(forKey: batch.number) ?? [], s.blocked.removeValue(forKey: batch.number) ?? [],
                arm
            )
        }
        for w in waiting { w.continuation.resume(returning: refused[w.key]) }
        for gate in blocked { gate.signal() }
        if arm { queue.async { self.drain() } }
    }

    /// One transaction for the batch; if the store refuses it, one per node. The refused nodes, with why. The
    /// writes of an execution whose lease the store finds lost are refused, the execution fenced, and the rest
    /// committed without them.
    private func commit(_ batch: [Entry], held: [String: LeaseHolder]) -> [String: String] {
        var refused: [String: String] = [:]
        var entries = batch
        while !entries.isEmpty {
            do {
                try store.commit(
                    entries.map(\.record), lineage: entries.flatMap(\.lineage),
                    heldBy: held.filter { h in entries.contains { $0.record.execution == h.key } })
                return refused
            } catch StoreError.leaseLost(let execution, let holder) {
                let why = leaseLost(execution, to: holder).why
                for entry in entries where entry.record.execution == execution {
                    refused[Self.key(entry.record.execution, entry.record.node)] = why
                }
                entries.removeAll { $0.record.execution == execution }
            } catch {
                guard entries.count > 1 else {
                    return refused.merging(
                        entries.map { (Self.key($0.record.execution, $0.record.node), "\(error)") }
                    ) { $1 }
                }
                break
            }
        }
        for entry in entries {
            let execution = entry.record.execution
            if let fence = fence(of: execution) {
                refused[Self.key(execution, entry.record.node)] = fence.why
                continue
            }
            do {
                try store.commit(
                    [entry.record], lineage: entry.lineage, heldBy: held[execution].map { [execution: $0] } ?? [:])
            } catch StoreError.leaseLost(_, let holder) {
                refused[Self.key(execution, entry.record.node)] = leaseLost(execution, to: holder).why
            } catch {
                refused[Self.key(execution, entry.record.node)] = "\(error)"
            }
        }
        return refused
    }
}
