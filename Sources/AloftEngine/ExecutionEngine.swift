public import AloftCompiler
public import AloftWire
import FoundationEssentials
import Logging
public import PluginHost

/// Runs compiled workflows through the plugins, durably: node transitions are committed to the metadata store
/// in groups (GroupCommitWriter), and what a plugin call or anything outside the process relies on is
/// committed before it happens (docs/architecture.md, "What is durable before what"), so a killed run is
/// finished by `resume` without re-running what succeeded or submitting under a new id what was submitted.
public final class ExecutionEngine: Sendable {
    public let host: PluginHost
    public let store: any Store
    public let blobs: any BlobStore
    public let options: EngineOptions
    private let overall: AsyncLimiter
    private let wakeups = Wakeups()
    /// The store's one writer of node transitions, shared by every execution this engine drives.
    private let commits: GroupCommitWriter

    public init(host: PluginHost, store: any Store, blobs: any BlobStore, options: EngineOptions = EngineOptions()) {
        self.host = host
        self.store = store
        self.blobs = blobs
        self.options = options
        self.commits = GroupCommitWriter(store: store)
        self.overall = AsyncLimiter(limit: options.overallParallelism)
        let wakeups = self.wakeups
        host.services.signals.onWakeup { wakeups.signal($0) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        /// Set when the run stopped because another process took the execution's lease over (who): the
        /// execution is that process's now, still running; this one touched none of its tasks after the loss.
        public var lostLeaseTo: String? = nil
        public var description: String { message }
    }

    /// Creates an execution of `workflow` (from `spec`) and runs it to the end. Inputs are checked against
    /// the workflow's interface; missing ones take their defaults.
    public func run(
        _ spec: CompiledSpec, workflow: String, inputs: LiteralMap, project: String, domain: String,
        id: String = ExecutionID.make(), launchedFrom: String? = nil, labels: [String: String] = [:],
        events: @escaping @Sendable (EngineEvent) -> Void = { _ in }
    ) async throws -> ExecutionRecord {
        let (record, plan) = try Self.newExecution(
            spec, workflow: workflow, inputs: inputs, project: project, domain: domain, id: id,
            launchedFrom: launchedFrom, labels: labels)
        try store.createExecution(record)
        let lease = try lease(record.id)
        return try await drive(record, plan: plan, existing: [], lease: lease, events: events)
    }

    /// The record of a new execution of `workflow` and the plan it stores, not yet stored: inputs checked
    /// against the workflow's interface, missing ones taking their defaults (what `run` and an enqueue share).
    public static func newExecution(
        _ spec: CompiledSpec, workflow: String, inputs: LiteralMap, project: String, domain: String, id: String,
        launchedFrom: String? = nil, labels: [String: String] = [:]
    ) throws -> (ExecutionRecord, CompiledSpec) {
        guard let plan = spec.plan(for: workflow), let w = plan.workflows[workflow] else {
            throw Failure(
                message:
                    "no workflow \"\(workflow)\"; workflows: \(spec.workflows.keys.sorted().joined(separator: ", "))")
        }
        let given = w.defaults.merging(inputs) { _, new in new }
        let problems =
            given.filter { w.interface.inputs[$0.key] != nil }.mismatches(against: w.interface.inputs)
            + inputs.keys.filter { w.interface.inputs[$0] == nil }.sorted().map {
                "\($0): not an input of workflow \(workflow)"
            }
        guard problems.isEmpty else { throw Failure(message: "bad inputs: " + problems.joined(separator: "; ")) }
        let record = ExecutionRecord(
            id: id, project: project, domain: domain, workflow: workflow, spec: plan.canonicalBytes, inputs: given,
            launchedFrom: launchedFrom, labels: labels)
        return (record, plan)
    }

    /// Runs an execution again as a new one: the same plan (the same versions of everything) and the same
    /// inputs, in the same project and domain. Cached tasks hit the entries the first run wrote.
    public func relaunch(
        _ id: String, newID: String = ExecutionID.make(),
        events: @escaping @Sendable (EngineEvent) -> Void = { _ in }
    ) async throws -> ExecutionRecord {
        guard let old = try store.execution(id: id) else { throw Failure(message: "no execution \(id)") }
        try Self.refuseDamaged(old, "relaunched")
        let plan = try Self.plan(of: old)
        let record = ExecutionRecord(
            id: newID, project: old.project, domain: old.domain, workflow: old.workflow, spec: old.spec,
            inputs: old.inputs, launchedFrom: "relaunch of \(id)", labels: old.labels)
        try store.createExecution(record)
        let lease = try lease(record.id)
        return try await drive(record, plan: plan, existing: [], lease: lease, events: events)
    }

    /// Finishes an execution that was interrupted (the process was killed): succeeded nodes keep their
    /// outputs, running nodes are re-attached through their persisted resource state.
    public func resume(
        _ id: String, events: @escaping @Sendable (EngineEvent) -> Void = { _ in }
    ) async throws -> ExecutionRecord {
        guard let record = try store.execution(id: id) else { throw Failure(message: "no execution \(id)") }
        guard record.phase == .running else { return record }
        try Self.refuseDamaged(record, "resumed")
        // Only once no live process drives it: two drivers would both act on the same nodes.
        let lease = try lease(id)
        // Read again under the lease: the process that held it may have ended the execution since the read
        // above (it finished, or an abort stopped it); driving it again would run what an abort stopped.
        let current: ExecutionRecord?
        do { current = try store.execution(id: id) } catch {
            lease.release()
            throw error
        }
        guard let current, current.phase == .running else {
            lease.release()
            return current ?? record
        }
        let plan: CompiledSpec
        do { plan = try Self.plan(of: current) } catch {
            lease.release()
            throw error
        }
        return try await drive(
            current, plan: plan, existing: try store.nodes(execution: id), lease: lease, events: events)
    }

    /// Starts a new execution of a failed (or aborted) one with the same plan and inputs, reusing the outputs
    /// of every node that succeeded: only what failed, and what depended on it, runs again.
    public func recover(
        _ id: String, newID: String = ExecutionID.make(),
        events: @escaping @Sendable (EngineEvent) -> Void = { _ in }
    ) async throws -> ExecutionRecord {
        let (record, reused, plan) = try Self.recovery(of: id, newID: newID, store: store)
        try store.createExecution(record)
        let lease = try lease(newID)
        try store.commit(reused)
        return try await drive(record, plan: plan, existing: reused, lease: lease, events: events)
    }

    /// What recovering `id` as `newID` stores (not stored yet): the new execution and the nodes it reuses.
    /// `aloft serve --workers` queues the same for a worker.
    public static func recovery(
        of id: String, newID: String, store: any ExecutionStore
    ) throws -> (record: ExecutionRecord, reused: [NodeRecord], plan: CompiledSpec) {
        guard let old = try store.execution(id: id) else { throw Failure(message: "no execution \(id)") }
        guard old.phase == .failed || old.phase == .aborted else {
            throw Failure(
                message: "execution \(id) is \(old.phase.rawValue); only failed or aborted executions are recovered")
        }
        try Self.refuseDamaged(old, "recovered")
        let plan = try Self.plan(of: old)
        let record = ExecutionRecord(
            id: newID, project: old.project, domain: old.domain, workflow: old.workflow, spec: old.spec,
            inputs: old.inputs, recoveredFrom: id, launchedFrom: old.launchedFrom, labels: old.labels)
        // Succeeded nodes of the old execution become succeeded nodes of the new one, pointing at their origin;
        // a node whose output data is gone runs again (reusing it would fail the same way every time).
        let reused = try store.nodes(execution: id).filter {
            $0.state.phase == .succeeded && LocalBlobCheck.allExist($0.outputs ?? [:])
        }.map { n -> NodeRecord in
            var copy = n
            copy.execution = newID
            copy.resourceState = nil
            copy.cachedFrom = n.cachedFrom ?? "\(id)/\(n.node)"
            return copy
        }
        return (record, reused, plan)
    }

    /// An execution whose stored row is damaged is not run again from what could be read of it.
    private static func refuseDamaged(_ record: ExecutionRecord, _ verb: String) throws {
        if let damage = record.damage { throw Failure(message: "execution \(record.id) cannot be \(verb): \(damage)") }
    }

    /// The plan an execution stored when it was created.
    private static func plan(of record: ExecutionRecord) throws -> CompiledSpec {
        do { return try CompiledSpec(json: JSONParser.parse(record.spec)) } catch {
            throw Failure(message: "execution \(record.id) has an unreadable plan: \(error)")
        }
    }

    /// This process's lease on an execution, taken (see ExecutionLease).
    private func lease(_ execution: String) throws -> ExecutionLease {
        let lease = ExecutionLease(
            store: store, execution: execution, holder: LeaseHolder.current(role: options.role), ttl: options.leaseTTL)
        try lease.acquire()
        return lease
    }

    private func drive(
        _ record: ExecutionRecord, plan: CompiledSpec, existing: [NodeRecord], lease: ExecutionLease,
        events: @escaping @Sendable (EngineEvent) -> Void
    ) async throws -> ExecutionRecord {
        let logger = host.services.logger
        guard let w = plan.workflows[record.workflow] else {
            lease.release()
            throw Failure(message: "the plan of \(record.id) lacks \(record.workflow)")
        }
        // This process holds the lease now: every write of the run is made only while it still does (an
        // earlier loss of it no longer stops them).
        commits.hold(record.id, by: lease.holder)
        let context = ExecutionContext(
            execution: record, plan: plan, host: host, store: store, commits: commits, blobs: blobs, options: options,
            overall: overall, wakeups: wakeups, existing: existing, events: events)
        let run = Task { await WorkflowRunner(context: context, workflow: w, inputs: record.inputs, prefix: "").run() }
        // Another process drives the execution once it has taken the lease over: every write of this run is
        // refused from then on (so no plugin call that waits for one is made: no submit, abort or finalize of
        // tasks that are the other process's now), and the run is stopped. The store refuses such a write
        // itself (it checks the lease in the write's transaction), so this holds before the heartbeat notices.
        let commits = self.commits
        let heartbeat = lease.heartbeat(log: { message in logger.error("\(message)") }) { why, other in
            logger.error("\(why)")
            commits.fence(record.id, because: why, holder: other)
            run.cancel()
        }
        defer {
            heartbeat.cancel()
            lease.release()
        }
        // `aloft executions abort` in another process sets a flag in the store: watch it.
        let store = self.store
        let watcher = Task {
            while !Task.isCancelled {
                if (try? store.abortRequested(id: record.id)) == true {
                    run.cancel()
                    return
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        let result = await withTaskCancellationHandler {
            await run.value
        } onCancel: {
            run.cancel()
        }
        watcher.cancel()
        // Every node write of this run is durable before the execution's end is.
        await commits.flush()
        await context.blobCopies.drain()
        // The execution, its end and its call journal are the other process's.
        if let fence = commits.fence(of: record.id) { throw Failure(message: fence.why, lostLeaseTo: fence.holder) }
        do {
            switch result {
            case .success(let outputs):
                try store.finishExecution(
                    id: record.id, phase: .succeeded, outputs: outputs, error: nil, heldBy: lease.holder)
            case .failure(let failure):
                // Read only for a failed run: every node's record (100,000 for a map of 100,000) is decoded.
                let aborted = try store.nodes(execution: record.id).contains { $0.state.phase == .aborted }
                try store.finishExecution(
                    id: record.id, phase: aborted ? .aborted : .failed, outputs: nil, error: failure.message,
                    heldBy: lease.holder)
            }
        } catch StoreError.leaseLost(_, let other) {
            let fence = commits.leaseLost(record.id, to: other)
            throw Failure(message: fence.why, lostLeaseTo: fence.holder)
        }
        commits.letGo(record.id)
        // The execution ended here: no later host will read what its calls journaled.
        context.journal?.remove()
        return try store.execution(id: record.id) ?? record
    }
}
