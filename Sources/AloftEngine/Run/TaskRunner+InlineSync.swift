import AloftCompiler
import AloftWire
import FoundationEssentials
import PluginHost
import Synchronization

/// The synchronous tier without hops (issue 18): for a plugin loaded in this process, a synchronous attempt's
/// intent, its run_sync call and its end are one job on the plugin's own (host-owned) thread, which commits
/// the intent itself before the call and the end after it (GroupCommitWriter.commitNow). The node's task
/// waits once, for that job, instead of for the writer's queue twice and the plugin's thread once. What is
/// durable before what is unchanged. The watchdog bounds the call alone; a call that overran, was cancelled
/// or failed comes back to syncAttempt, which ends the attempt as before.
extension TaskRunner {
    enum InlineSyncOutcome {
        /// The intent could not be stored: the node is stopped.
        case stopped
        /// The node ended on the plugin's thread, its end durable (or refused, and the node stopped).
        case ended(NodeRecord)
        /// The call's result, for syncAttempt to end the attempt with.
        case called(Result<LiteralMap, TaskError>)
    }

    /// The plugin, when an attempt can take this path: loaded in this process, and inputs small enough to
    /// need no per-attempt copy (copies are written from async code).
    func inlineSyncPlugin(_ plugin: any TaskPlugin) -> LoadedPlugin? {
        guard let direct = plugin as? LoadedPlugin, inputs.canonicalBytes.count <= context.options.inlineValueLimit
        else { return nil }
        return direct
    }

    func inlineSyncCall(
        _ record: inout NodeRecord, _ attempt: Int, _ plugin: LoadedPlugin, _ invocation: TaskInvocation, deaths: Int
    ) async -> InlineSyncOutcome {
        let (context, path) = (self.context, self.path)
        // A new attempt, or one resumed with no call in flight, announces the call; one resumed mid-call
        // already has its mark stored (attempts).
        let fresh = record.taskExecutionID != invocation.executionID
        let announce = fresh || record.state.callInFlight == nil
        if fresh {
            record.taskExecutionID = invocation.executionID
            record.resourceState = nil
            record.state.callInFlight = CallInFlight(call: "run_sync", attempt: attempt)
        } else if announce {
            record.state.callInFlight = CallInFlight(call: "run_sync", attempt: attempt, deaths: deaths)
        }
        if announce { guard context.store(record, committedByCaller: true) else { return .stopped } }
        let called = record
        let ended = EndedOnPluginThread()
        let outputs: LiteralMap?
        do throws(TaskError) {
            outputs = try await cancellable(invocation) { () async throws(TaskError) -> LiteralMap? in
                try await plugin.runSync(
                    invocation,
                    before: {
                        guard !announce || context.durableNow(path) else { return false }
                        if fresh { context.events(.nodeStarted(path: path, attempt: attempt)) }
                        return true
                    },
                    after: { outputs in ended.record = Self.succeeded(called, outputs, context) })
            }
        } catch {
            return .called(.failure(error))
        }
        guard let outputs else { return .stopped }
        if let record = ended.record { return .ended(record) }
        return .called(.success(outputs))
    }

    /// On the plugin's thread: a successful attempt's end, through the state machine, stored and committed.
    /// Nil (nothing done) when the outputs need a per-attempt copy or the state machine says anything but
    /// "done"; syncAttempt then ends the attempt from async code.
    private static func succeeded(
        _ called: NodeRecord, _ outputs: LiteralMap, _ context: ExecutionContext
    ) -> NodeRecord? {
        guard let record = closedAttempt(called, outputs, context) else { return nil }
        guard context.store(record, committedByCaller: true) else { return record }
        // A refused end stops the node (durableNow says why); the scope sees it as for any node.
        _ = context.durableNow(record.node)
        context.events(.nodeFinished(path: record.node, phase: record.state.phase, cached: record.state.cached))
        return record
    }
}

extension TaskRunner {
    /// The in-process plugin whose thread can run a synchronous `task` of a scope's nodes or a map's items in
    /// one job (SyncItemBatch, SyncChainRun): none for a task with a cache or a quota, whose runs take the
    /// one-by-one path (TaskRunner.run).
    static func inlineSyncPlugin(for task: CompiledTask, _ context: ExecutionContext) -> LoadedPlugin? {
        guard task.cache == nil, context.options.quotas[task.template.type] == nil,
            case .success(let found) = context.host.plugin(forTaskType: task.template.type),
            let plugin = found as? LoadedPlugin, plugin.descriptor.isSynchronous(task.template.type)
        else { return nil }
        return plugin
    }

    struct Stopped: Error {
        let record: NodeRecord
    }

    /// A fresh node's first attempt started and marked as in run_sync (not stored yet): the record and the
    /// call's invocation. A failure is a node stopped (its state refused).
    func announceSync(on plugin: LoadedPlugin) -> Result<(NodeRecord, TaskInvocation), Stopped> {
        var record = NodeRecord(
            execution: context.execution.id, node: path,
            state: NodeState(budget: RetryBudget(user: task.retries, system: context.options.systemRetries)),
            inputs: inputs)
        record.pluginID = plugin.id
        record.taskVersion = task.template.version
        guard case .call(let attempt)? = context.apply(.startSync, to: &record) else {
            return .failure(Stopped(record: record))
        }
        let invocation = self.invocation(attempt)
        record.taskExecutionID = invocation.executionID
        record.resourceState = nil
        record.state.callInFlight = CallInFlight(call: "run_sync", attempt: attempt)
        return .success((record, invocation))
    }

    /// A successful synchronous attempt's end through the state machine (not stored). Nil when the outputs need
    /// a per-attempt copy or the state machine says anything but "done": the attempt is then ended from async
    /// code.
    static func closedAttempt(_ called: NodeRecord, _ outputs: LiteralMap, _ context: ExecutionContext) -> NodeRecord? {
        guard outputs.canonicalBytes.count <= context.options.inlineValueLimit else { return nil }
        var record = called
        record.outputs = outputs
        guard case .closeAttempt(_, .done)? = try? record.state.apply(.attemptSucceeded) else { return nil }
        record.state.callInFlight = nil
        record.updatedAt = Date()  // stored as it is (`stamped`): the time it ended
        return record
    }
}

/// The record a synchronous attempt ended with on the plugin's thread, read by the node's task after.
private final class EndedOnPluginThread: Sendable {
    private let slot = Mutex<NodeRecord?>(nil)

    var record: NodeRecord? {
        get { slot.withLock { $0 } }
        set { slot.withLock { $0 = newValue } }
    }
}
