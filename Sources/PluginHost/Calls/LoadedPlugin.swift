public import AloftWire
import Dispatch
import Logging
import PluginABI
import Synchronization

/// An enabled, initialized plugin: the host's handle for calling it.
///
/// Every call runs on the plugin's own threads (`PluginThreadPool`), in the task's lane, within the call
/// budget. Buffers the plugin returns are copied and released before the call returns to the caller.
public final class LoadedPlugin: TaskPlugin {
    public let descriptor: PluginDescriptor
    public let path: String
    public let options: PluginCallOptions
    let raw: RawDescriptor
    let services: HostServices
    let pool: PluginThreadPool
    let instance: InstancePointer
    let extensions: PluginExtensions
    private let overruns = Atomic<Int>(0)
    private let shutDown = Atomic<Bool>(false)
    /// Tasks with a call abandoned inside the plugin (past its budget, or cancelled), by task execution id:
    /// the call's name and how many such calls have not returned yet.
    private let stuck = Mutex<[String: (call: String, count: Int)]>([:])
    /// Deferred aborts and finalizes not yet run (see deferBehindStuckCall); the host waits for them before exit.
    private let deferredCalls = DispatchGroup()
    /// The last call deferred behind each task's stuck call, by task execution id: the next one deferred waits
    /// for it before it takes its place in the task's lane, so they run in the order they were made.
    private let lastDeferred = Mutex<[String: DeferredCall]>([:])

    private struct DeferredCall: Sendable {
        let number: Int
        let done: Task<Void, Never>
    }
    /// The state of a submit that returned after its caller stopped waiting (past its budget), by task execution
    /// id: the engine never saw it, so that task's abort and finalize get it instead of an empty state, and abort
    /// can stop what the late submit started. finalize, the task's last call, drops it.
    let lateSubmitStates = Mutex<[String: [UInt8]]>([:])

    struct InstancePointer: @unchecked Sendable { let value: UnsafeMutableRawPointer? }

    init(
        library: PluginLibrary, instance: UnsafeMutableRawPointer?, extensions: PluginExtensions,
        pool: PluginThreadPool, options: PluginCallOptions, services: HostServices
    ) {
        self.extensions = extensions
        self.descriptor = library.descriptor
        self.path = library.path
        self.raw = library.raw
        self.instance = InstancePointer(value: instance)
        self.pool = pool
        self.options = options
        self.services = services
    }

    public var overrunCount: Int { overruns.load(ordering: .relaxed) }
    public var isIsolated: Bool { false }

    // MARK: Task calls

    /// Starts the task; returns the resource state to persist.
    public func submit(_ task: TaskInvocation) async throws(TaskError) -> [UInt8] {
        // Permanent: retrying cannot help until the plugin is loaded again.
        if isQuarantined { throw quarantined() }
        // Whatever goes wrong below, a task that was not submitted holds no secrets.
        var done = false
        defer { if !done { services.secretPolicy.revoke(plugin: id, task: task.executionID) } }
        let state = try submitted(
            try await callOnPool(
                "submit", task, onLateReturn: keepLateSubmitState(of: task), bound(task, CallBodies.submit)))
        done = true
        return state
    }

    /// What a submit of `task` that returns past its budget does with its result: keeps the state for the
    /// task's abort and finalize (lateSubmitStates). Runs in the task's lane, before those deferred calls.
    func keepLateSubmitState(of task: TaskInvocation) -> @Sendable (CallResult) -> Void {
        let lane = task.executionID
        return { [self] result in
            if result.status == ALOFT_OK { lateSubmitStates.withLock { $0[lane] = result.buffers[0] } }
        }
    }

    /// The state a submit call returned, or its error.
    func submitted(_ result: CallResult) throws(TaskError) -> [UInt8] {
        if result.status != ALOFT_OK { throw result.taskError(plugin: id, call: "submit", redactor: services.redactor) }
        let state = result.buffers[0]
        if state.count > options.maxStateBytes {
            throw TaskError(
                kind: .system, retryable: false, code: .stateTooLarge,
                message:
                    "plugin \(id) returned a resource state of \(state.count) bytes (limit \(options.maxStateBytes))")
        }
        return state
    }

    /// Observes the task. A thrown error means the task could not be observed this time; a task that ran
    /// and failed comes back as a `.failed` outcome.
    public func poll(_ task: TaskInvocation) async throws(TaskError) -> PollOutcome {
        try outcome(of: try await call("poll", task, CallBodies.poll), task: task)
    }

    /// Stops the task. Idempotent.
    public func abort(_ task: TaskInvocation) async throws(TaskError) {
        services.signals.cancel(task.executionID)
        if deferBehindStuckCall("abort", task, CallBodies.abort) { return }
        let result = try await call("abort", withLateSubmitState(task, forget: false), CallBodies.abort)
        if result.status != ALOFT_OK { throw result.taskError(plugin: id, call: "abort", redactor: services.redactor) }
    }

    /// Releases what submit acquired. Call exactly once per submitted task, last.
    public func finalize(_ task: TaskInvocation) async throws(TaskError) {
        defer {
            services.secretPolicy.revoke(plugin: id, task: task.executionID)
            services.signals.forget(task.executionID)
        }
        guard raw.table.pointee.finalize != nil else { return }
        if deferBehindStuckCall("finalize", task, CallBodies.finalize) { return }
        let result = try await call("finalize", withLateSubmitState(task, forget: true), CallBodies.finalize)
        if result.status != ALOFT_OK {
            throw result.taskError(plugin: id, call: "finalize", redactor: services.redactor)
        }
    }

    /// Runs one task of a synchronous type in one run_sync call: its outputs, or the attempt's error.
    public func runSync(_ task: TaskInvocation) async throws(TaskError) -> LiteralMap {
        if isQuarantined { throw quarantined() }
        // Nothing follows the call: the task's secrets and cancellation flag end with it.
        defer {
            services.secretPolicy.revoke(plugin: id, task: task.executionID)
            services.signals.forget(task.executionID)
        }
        return try syncOutputs(try await call("run_sync", task, try syncBody(task)), task: task)
    }

    /// The run_sync call for `task`, or the error of a plugin that does not serve the type synchronously.
    func syncBody(_ task: TaskInvocation) throws(TaskError) -> CallBody {
        guard raw.table.pointee.run_sync != nil, !descriptor.syncTaskTypes.isEmpty else {
            throw TaskError(
                kind: .system, retryable: false, code: .unknown,
                message: "plugin \(id) has no synchronous task types: run_sync cannot be called")
        }
        return CallBodies.runSync
    }

    /// The outputs a run_sync call returned, or its error.
    func syncOutputs(_ result: CallResult, task: TaskInvocation) throws(TaskError) -> LiteralMap {
        if result.status != ALOFT_OK {
            throw result.taskError(plugin: id, call: "run_sync", redactor: services.redactor)
        }
        return try checkedOutputs(result.buffers[0], task: task)
    }

    /// `bytes` as a literal map that matches the task's interface, or the error the attempt fails with.
    func checkedOutputs(_ bytes: [UInt8], task: TaskInvocation) throws(TaskError) -> LiteralMap {
        let outputs: LiteralMap
        if bytes.isEmpty {
            outputs = [:]
        } else {
            do { outputs = try LiteralMap(bytes: bytes, path: "outputs") } catch {
                throw TaskError(
                    kind: .system, retryable: false, code: .invalidOutputs,
                    message: "plugin \(id) returned outputs that are not a literal map: \(error)")
            }
        }
        if let mismatch = outputMismatch(outputs, against: task.outputTypes) { throw mismatch }
        return outputs
    }

    func quarantined() -> TaskError {
        TaskError(
            kind: .system, retryable: false, code: .pluginQuarantined,
            message:
                "plugin \(id) is quarantined after \(overrunCount) calls overran their budget: it takes no new tasks "
                + "until it is reloaded (restart aloft)")
    }

    /// Links to the task's logs, when the plugin offers the "aloft.task-logs/1" extension.
    public func taskLogs(_ task: TaskInvocation) async throws(TaskError) -> [(name: String, uri: String)] {
        guard extensions.taskLogs != nil else { return [] }
        return try links(try await call("task_logs", task, CallBodies.taskLogs(extensions)))
    }

    /// The log links a task_logs call returned, or its error.
    func links(_ result: CallResult) throws(TaskError) -> [(name: String, uri: String)] {
        if result.status != ALOFT_OK {
            throw result.taskError(plugin: id, call: "task_logs", redactor: services.redactor)
        }
        guard let json = try? JSONParser.parse(result.buffers[0]), let items = json.arrayValue else { return [] }
        return items.compactMap { item in
            guard let name = item["name"]?.stringValue, let uri = item["uri"]?.stringValue else { return nil }
            return (name, uri)
        }
    }

    /// Waits until every deferred abort and finalize has run, or `deadline` passes, or `stop()` says to stop
    /// waiting (a second interrupt). True when none is left.
    public func waitForDeferredCalls(until deadline: ContinuousClock.Instant, stop: () -> Bool) -> Bool {
        while ContinuousClock.now < deadline && !stop() {
            if deferredCalls.wait(timeout: .now() + .milliseconds(50)) == .success { return true }
        }
        return deferredCalls.wait(timeout: .now()) == .success
    }

    /// Called once at host shutdown, after every task call returned.
    public func shutdown() {
        guard !shutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if let shutdownFn = raw.table.pointee.shutdown {
            let instance = self.instance
            _ = try? pool.runBlocking(lane: nil, budget: options.initBudget) { shutdownFn(instance.value) }
        }
        pool.shutdown()
    }

    // MARK: Plumbing

    /// Runs one C call on the plugin's threads with the task's borrowed pointers alive for its duration.
    private func call(
        _ name: String, _ task: TaskInvocation, _ body: @escaping CallBody
    ) async throws(TaskError) -> CallResult {
        try await callOnPool(name, task, bound(task, body))
    }

    /// Runs `run` (one C call, made by `bound`, and what is read from its result) on the plugin's threads in
    /// the task's lane, with `prelude` and `onReturn` around it there (see runAbandonable). poll, run_sync and
    /// extension calls stop waiting when the waiting task is cancelled; a submit is not made once its task is
    /// cancelled, but one already running is waited for, so that abort gets the state of what it started
    /// (abort and finalize, which the engine makes after a cancellation, are always waited for). Every call
    /// stops waiting at its budget; `onLateReturn` gets the value of one that returns after that.
    func callOnPool<T: Sendable>(
        _ name: String, _ task: TaskInvocation, prelude: (@Sendable () -> T?)? = nil,
        onReturn: (@Sendable (T) -> Void)? = nil, onLateReturn lateValue: (@Sendable (T) -> Void)? = nil,
        _ run: @escaping @Sendable () -> T
    ) async throws(TaskError) -> T {
        let pluginID = id
        let logger = services.logger
        let lane = task.executionID
        if let busy = stuckCall(of: task) {
            throw TaskError(
                kind: .system, retryable: false, code: .pluginCallStuck,
                message:
                    "plugin \(pluginID) has not returned from an earlier \(busy) of this task (abandoned past its budget)"
            )
        }
        let cancellable = name != "abort" && name != "finalize"
        // The task's secrets, granted on each of its calls: its first in this host may be a re-attaching poll.
        services.secretPolicy.grant(plugin: pluginID, task: lane, secrets: task.secrets)
        do {
            return try await pool.runAbandonable(
                lane: lane, budget: options.callBudget, cancellable: cancellable,
                finishesOnceStarted: name == "submit",
                onAbandon: { [self] in markStuck(lane, call: name) },
                onLateReturn: { [self] elapsed, value in
                    lateValue?(value)
                    markReturned(lane)
                    logger.warning("plugin \(pluginID): \(name) of \(lane) returned after \(elapsed), past its budget")
                },
                prelude: prelude, onReturn: onReturn, run)
        } catch {
            throw abandonedError(error, call: name, lane: lane)
        }
    }

    /// The error of a call its caller stopped waiting for (cancelled, or past its budget: counted towards
    /// quarantine), logged.
    func abandonedError(_ why: CallAbandoned, call name: String, lane: String) -> TaskError {
        let pluginID = id
        let logger = services.logger
        switch why {
        case .cancelled:
            logger.warning(
                "plugin \(pluginID): \(name) of \(lane) abandoned: the task was cancelled while the call ran")
            return TaskError(
                kind: .system, retryable: false, code: .pluginCallCancelled,
                message: "cancelled while plugin \(pluginID) was in \(name); the call was abandoned")
        case .overran(let exceeded):
            let n = overruns.add(1, ordering: .relaxed).newValue
            let seconds = exceeded.budget.secondsValue
            let limit = options.quarantineAfter
            let standing = n >= limit ? "the plugin is now quarantined" : "quarantine after \(limit)"
            logger.error(
                "plugin \(pluginID): \(name) of \(lane) overran its budget of \(seconds) s (overrun \(n); \(standing))"
            )
            return TaskError(
                kind: .system, retryable: false, code: .pluginCallOverran,
                message: "plugin \(pluginID) did not return from \(name) within \(seconds) s")
        }
    }

    typealias CallBody = @Sendable (aloft_plugin, UnsafeMutableRawPointer?, UnsafePointer<aloft_task>) -> CallResult

    /// `body` with the task's pointers made and kept alive around it.
    func bound(_ task: TaskInvocation, _ body: @escaping CallBody) -> @Sendable () -> CallResult {
        let raw = self.raw
        let instance = self.instance
        return {
            task.context.withUnsafeBufferPointer { context in
                task.state.withUnsafeBufferPointer { state in
                    task.executionID.withCString { id in
                        var t = aloft_task()
                        t.struct_size = UInt32(MemoryLayout<aloft_task>.size)
                        t.attempt = UInt32(clamping: task.attempt)
                        t.task_execution_id = id
                        t.context = aloft_bytes(data: context.baseAddress, len: context.count)
                        t.state = aloft_bytes(data: state.baseAddress, len: state.count)
                        return withUnsafePointer(to: &t) { body(raw.table.pointee, instance.value, $0) }
                    }
                }
            }
        }
    }

    /// `task` with the state its submit returned past its budget, when the engine has none (lateSubmitStates);
    /// `forget` (finalize) drops that state. Read when the call is made: a deferred call runs after the submit.
    func withLateSubmitState(_ task: TaskInvocation, forget: Bool) -> TaskInvocation {
        guard
            let late = lateSubmitStates.withLock({
                forget ? $0.removeValue(forKey: task.executionID) : $0[task.executionID]
            }),
            task.state.isEmpty
        else { return task }
        var given = task
        given.state = late
        return given
    }

    /// The call of `task` that was abandoned and has not returned, if any.
    func stuckCall(of task: TaskInvocation) -> String? { stuck.withLock { $0[task.executionID]?.call } }

    func markStuck(_ lane: String, call: String) {
        stuck.withLock { $0[lane] = (call, ($0[lane]?.count ?? 0) + 1) }
    }

    func markReturned(_ lane: String) {
        stuck.withLock { s in
            guard let entry = s[lane] else { return }
            s[lane] = entry.count > 1 ? (entry.call, entry.count - 1) : nil
        }
    }

    /// abort and finalize of a task whose earlier call is still inside the plugin: queued in the task's lane
    /// (calls of one task never overlap), to run when that call returns, and not waited for. Returns false
    /// when nothing is stuck and the caller should make the call itself.
    private func deferBehindStuckCall(_ name: String, _ task: TaskInvocation, _ body: @escaping CallBody) -> Bool {
        guard let busy = stuckCall(of: task) else { return false }
        let pluginID = id
        let logger = services.logger
        logger.warning(
            "plugin \(pluginID): \(name) of \(task.executionID) deferred until its abandoned \(busy) returns")
        let (pool, budget, pending) = (self.pool, options.callBudget, deferredCalls)
        // Made when the stuck call has returned: a late submit's state is known only then.
        let run: @Sendable () -> CallResult = { [self] in
            bound(withLateSubmitState(task, forget: name == "finalize"), body)()
        }
        pending.enter()
        // Each deferred call is handed on from a task of its own; it waits for the one deferred before it, or a
        // finalize could take the lane before the abort made just before it (and drop the late submit's state
        // that abort needs). Abort, then finalize, last: the ABI's order.
        let lane = task.executionID
        lastDeferred.withLock { last in
            let previous = last[lane]?.done
            let number = (last[lane]?.number ?? 0) &+ 1
            let done = Task.detached { [self, previous] in
                defer { pending.leave() }
                await previous?.value
                let result = try? await pool.runAbandonable(lane: lane, budget: budget, cancellable: false, run)
                let how = result.map { "returned (status \($0.status))" } ?? "overran its budget too"
                logger.info("plugin \(pluginID): deferred \(name) of \(lane) \(how)")
                lastDeferred.withLock { if $0[lane]?.number == number { $0[lane] = nil } }
            }
            last[lane] = DeferredCall(number: number, done: done)
        }
        return true
    }

    /// What a poll call said, or its error: a poll that returned an error status, or results the host refuses.
    func outcome(of result: CallResult, task: TaskInvocation) throws(TaskError) -> PollOutcome {
        if result.status != ALOFT_OK { throw result.taskError(plugin: id, call: "poll", redactor: services.redactor) }
        guard let phase = TaskPhase(rawValue: result.phase) else {
            throw TaskError(
                kind: .system, retryable: false, code: .invalidPhase,
                message: "plugin \(id) returned unknown phase \(result.phase) from poll")
        }
        let (state, outputBytes, statusBytes) = (result.buffers[0], result.buffers[1], result.buffers[2])
        if state.count > options.maxStateBytes {
            throw TaskError(
                kind: .system, retryable: false, code: .stateTooLarge,
                message:
                    "plugin \(id) returned a resource state of \(state.count) bytes (limit \(options.maxStateBytes))")
        }
        var outcome = PollOutcome(
            phase: phase, pollAfter: result.pollAfterMs > 0 ? .milliseconds(Int64(result.pollAfterMs)) : nil,
            newState: result.stateSet ? state : nil, outputs: nil,
            statusMessage: statusBytes.isEmpty
                ? nil : services.redactor.redact(String(decoding: statusBytes, as: UTF8.self)))
        switch phase {
        case .succeeded:
            outcome.outputs = try checkedOutputs(outputBytes, task: task)
        case .failed:
            outcome.error =
                result.errorSet
                ? result.taskError(plugin: id, call: "poll", redactor: services.redactor)
                : TaskError(
                    kind: .system, retryable: false, code: .noError,
                    message: "plugin \(id) reported the task failed without saying why")
        default: break
        }
        return outcome
    }
}

func newError() -> aloft_error {
    var e = aloft_error()
    e.struct_size = UInt32(MemoryLayout<aloft_error>.size)
    return e
}

/// A call's result with every plugin buffer already copied into Swift arrays and released.
struct CallResult: Sendable {
    let status: aloft_status
    let errorKind: UInt32
    let errorRetryable: Bool
    let errorCode: String
    let errorMessage: String
    let errorSet: Bool
    let buffers: [[UInt8]]
    let stateSet: Bool
    let phase: UInt32
    let pollAfterMs: UInt32

    init(status: aloft_status, error: aloft_error, buffers: [aloft_buffer], phase: UInt32 = 0, pollAfterMs: UInt32 = 0)
    {
        var error = error
        self.status = status
        errorKind = error.kind
        errorRetryable = error.retryable != 0
        errorSet = error.kind != 0 || error.message.len > 0
        errorCode = String(decoding: take(&error.code), as: UTF8.self)
        errorMessage = String(decoding: take(&error.message), as: UTF8.self)
        stateSet = buffers.first.map { $0.data != nil } ?? false
        var copies: [[UInt8]] = []
        for var b in buffers { copies.append(take(&b)) }
        self.buffers = copies
        self.phase = phase
        self.pollAfterMs = pollAfterMs
    }

    func taskError(plugin: String, call: String, redactor: SecretRedactor) -> TaskError {
        let kind: TaskError.Kind = errorKind == UInt32(ALOFT_ERROR_USER) ? .user : .system
        let message =
            errorMessage.isEmpty
            ? "plugin \(plugin) failed in \(call) without a message" : redactor.redact(errorMessage)
        return TaskError(
            kind: kind, retryable: errorRetryable, code: TaskError.Code(pluginCode: errorCode), message: message)
    }
}

/// Copies a plugin buffer and releases it (exactly once).
private func take(_ buffer: inout aloft_buffer) -> [UInt8] {
    defer { buffer.release?(&buffer) }
    guard let data = buffer.data, buffer.len > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: buffer.len))
}
