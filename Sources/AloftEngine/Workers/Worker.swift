import FoundationEssentials
import PluginHost
import Synchronization

/// An `aloft worker`: claims executions from the store's work queue (WorkQueueStore) and drives them on its
/// engine, at most `concurrency` at a time. A fresh execution starts from its stored plan; one whose worker
/// died (its lease expired) is resumed: succeeded nodes are kept, running tasks re-attached from their stored
/// resource state, never submitted again. While it runs, the worker keeps a lease `worker/HOST/PID` alive so
/// that `aloft worker status` lists it, idle or not.
///
/// `drain()` (SIGTERM) stops the claiming; `run()` then waits up to `grace` for the running executions and
/// hands back the leases of those still running, so another worker resumes them at once.
public final class Worker: Sendable {
    public struct Options: Sendable {
        public var concurrency: Int
        /// How long an idle worker waits before looking at the queue again.
        public var pollInterval: Duration
        /// How long a draining worker lets its executions finish before handing them back.
        public var grace: Duration

        public init(concurrency: Int = 4, pollInterval: Duration = .milliseconds(250), grace: Duration = .seconds(30)) {
            self.concurrency = concurrency
            self.pollInterval = pollInterval
            self.grace = grace
        }
    }

    /// How `run()` ended: every execution finished, or these were still running at the end of the grace
    /// period and their leases were released (the process should exit now, without aborting their tasks), or
    /// another process took over one of this worker's executions: this one was stopped or cut off from the
    /// store for longer than the lease, and must not drive it too. Its other executions were handed back; the
    /// process should exit at once, without aborting tasks that now belong to others.
    public enum Ending: Sendable, Equatable {
        case drained
        case handedBack([String])
        case lostLease(execution: String, to: String, handedBack: [String])
    }

    public let engine: ExecutionEngine
    public let store: any MetadataStore
    public let options: Options
    /// Every lease this worker takes: the engine's holder for its role (`aloft worker`).
    public let holder: LeaseHolder
    private let log: @Sendable (String) -> Void
    private let state = Mutex(State())

    private struct State {
        var running = Set<String>()
        var draining = false
        /// An execution whose lease another process holds now, and that process.
        var lost: (execution: String, holder: String)?
    }

    /// `engine` must use `store` and a role of its own (its leases are this worker's).
    public init(
        engine: ExecutionEngine, store: any MetadataStore, options: Options = Options(),
        log: @escaping @Sendable (String) -> Void
    ) {
        self.engine = engine
        self.store = store
        self.options = options
        self.holder = LeaseHolder.current(role: engine.options.role)
        self.log = log
    }

    /// The lease that says a worker is alive.
    public static func leaseName(_ holder: LeaseHolder) -> String { "worker/\(holder.host)/\(holder.pid)" }

    /// Stops claiming work; `run()` finishes or hands back what runs.
    public func drain() { state.withLock { $0.draining = true } }

    /// Executions this worker drives now.
    public var running: [String] { state.withLock { $0.running.sorted() } }

    public func run() async -> Ending {
        let presence = keepAlive()
        let watch = watchLeases()
        defer {
            presence.cancel()
            watch.cancel()
            try? store.releaseLease(Self.leaseName(holder), holder: holder)
        }
        var failing: String?
        while !state.withLock({ $0.draining || $0.lost != nil }) {
            if state.withLock({ $0.running.count }) < options.concurrency {
                do {
                    let claimed = try store.claimExecution(
                        holder: holder, until: Date().addingTimeInterval(engine.options.leaseTTL.secondsValue))
                    if failing != nil {
                        log("the store answers again")
                        failing = nil
                    }
                    if let claimed, start(claimed) { continue }
                } catch {
                    // One line per distinct failure, not one per poll.
                    let text = "\(error)"
                    if text != failing { log("cannot claim work: \(text)") }
                    failing = text
                }
            }
            try? await Task.sleep(for: options.pollInterval)
        }
        let deadline = ContinuousClock.now + options.grace
        while state.withLock({ !$0.running.isEmpty && $0.lost == nil }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        let (left, lost) = state.withLock { ($0.running.sorted(), $0.lost) }
        for id in left where id != lost?.execution {
            try? store.releaseLease(ExecutionLease.name(id), holder: holder)
        }
        if let lost {
            return .lostLease(
                execution: lost.execution, to: lost.holder,
                handedBack: left.filter { $0 != lost.execution })
        }
        return left.isEmpty ? .drained : .handedBack(left)
    }

    /// Every third of the lease time, looks whether another process holds the lease of an execution this
    /// worker still drives (and that has not ended: a finished one may be claimed once more to clear its
    /// queue row).
    private func watchLeases() -> Task<Void, Never> {
        let ttl = engine.options.leaseTTL
        return Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: ttl / 3)
                for id in running {
                    guard let lease = try? store.lease(ExecutionLease.name(id)), lease.holder != holder,
                        (try? store.execution(id: id))?.phase == .running
                    else { continue }
                    lostLease(of: id, to: lease.holder.description)
                }
            }
        }
    }

    /// Another process took over an execution this worker drives: `run()` stops (once, for the first such).
    private func lostLease(of id: String, to other: String) {
        log("lost the lease of \(id) to \(other)")
        state.withLock { if $0.lost == nil && $0.running.contains(id) { $0.lost = (id, other) } }
    }

    /// Drives a claimed execution in its own task; false when this worker drives it already (its own lease
    /// lapsed, e.g. the store was unreachable for longer than the lease lives).
    private func start(_ claimed: ClaimedExecution) -> Bool {
        let id = claimed.id
        guard state.withLock({ $0.running.insert(id).inserted }) else { return false }
        log((claimed.wasQueued ? "running " : "taking over ") + id)
        Task { [self] in
            defer { state.withLock { _ = $0.running.remove(id) } }
            do {
                let record = try await engine.resume(id)
                if record.phase != .running { try? store.dequeue(id) }
                log("\(record.phase.rawValue): \(id)" + (record.error.map { ": \($0)" } ?? ""))
            } catch let failure as ExecutionEngine.Failure where failure.lostLeaseTo != nil {
                // The engine saw it first (its heartbeat failed): the same loss as watchLeases finds.
                lostLease(of: id, to: failure.lostLeaseTo ?? "")
            } catch let failure as ExecutionEngine.Failure
                where (try? store.lease(ExecutionLease.name(id)))??.holder == holder
            {
                // The engine refuses it for good (an unreadable plan, a damaged row): it fails rather than
                // being claimed again forever.
                try? store.finishExecution(
                    id: id, phase: .failed, outputs: nil, error: failure.message, heldBy: holder)
                try? store.dequeue(id)
                log("failed: \(id): \(failure.message)")
            } catch {
                // The store failed under it: the execution stays queued and is resumed by the next claim.
                log("stopped driving \(id): \(error)")
            }
            try? store.releaseLease(ExecutionLease.name(id), holder: holder)
        }
        return true
    }

    /// Renews the worker's own lease every third of the lease time.
    private func keepAlive() -> Task<Void, Never> {
        let (store, holder, ttl) = (self.store, self.holder, engine.options.leaseTTL)
        return Task {
            while !Task.isCancelled {
                _ = try? store.acquireLease(
                    Self.leaseName(holder), holder: holder, until: Date().addingTimeInterval(ttl.secondsValue))
                try? await Task.sleep(for: ttl / 3)
            }
        }
    }
}
