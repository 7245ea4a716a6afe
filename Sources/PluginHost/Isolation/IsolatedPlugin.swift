import AloftSystem
public import AloftWire
import Dispatch
import FoundationEssentials
import Logging
import Synchronization

/// A plugin whose code runs in runner processes (`isolation: process`), never in the host: a crash, an
/// `exit`, unbounded allocation or a hang takes down one runner, not `aloft`.
///
/// - Tasks are spread over the plugin's runners by task execution id, so the calls of one task go to one
///   runner, in order, as they would go to one lane in-process.
/// - A call past its budget kills its runner (no thread is left behind) and fails with PluginCallOverran.
/// - A runner that ends while calls are in it is replaced. Each of those calls is sent again, alone, to a
///   runner of its own (submit is idempotent by task execution id and poll observes the stored state, both
///   ABI rules), so the calls that did not kill it go on: once for submit, up to three times for the others.
///   A call that kills that runner too fails with PluginRunnerDied, naming the plugin, the call and how the
///   runner ended.
/// - A call of a cancelled task is abandoned at once; its abort (or finalize) waits a second for that call
///   to see is_cancelled and return, then kills the runner and runs on a fresh one. A submit is the
///   exception: not sent once its task is cancelled, waited for (up to its budget) once sent, so that abort
///   gets the state of what it started.
public final class IsolatedPlugin: TaskPlugin {
    public let descriptor: PluginDescriptor
    public let path: String
    public let options: PluginCallOptions
    public let settings: IsolationSettings
    public let checksTasks: Bool
    private let services: HostServices
    private let slots: [RunnerSlot]
    private let start: RunnerSlot.Start
    private let overruns = Atomic<Int>(0)

    public var overrunCount: Int { overruns.load(ordering: .relaxed) }
    public var isIsolated: Bool { true }

    /// The process ids of the runners alive now.
    public var runnerPIDs: [Int32] { slots.compactMap { $0.current?.pid } }

    /// How long abort and finalize wait for an abandoned call of their task before its runner is killed.
    static let abandonedCallGrace: Duration = .seconds(1)

    private init(
        descriptor: PluginDescriptor, path: String, options: PluginCallOptions, settings: IsolationSettings,
        checksTasks: Bool, services: HostServices, first: RunnerConnection, start: @escaping RunnerSlot.Start
    ) {
        self.descriptor = descriptor
        self.path = path
        self.options = options
        self.settings = settings
        self.checksTasks = checksTasks
        self.services = services
        self.start = start
        slots = [RunnerSlot(running: first)] + (1..<max(1, settings.runners)).map { _ in RunnerSlot() }
    }

    /// Starts the plugin's first runner, which loads and initializes it; the plugin is refused when that
    /// fails. Later runners start when first needed.
    public static func start(
        path: String, runner: String, settings: IsolationSettings, options: PluginCallOptions,
        config: JSON, services: HostServices
    ) async -> Result<IsolatedPlugin, PluginRefusal> {
        let setup = RunnerSetup(
            path: path, config: config, initBudget: options.initBudget, threads: options.threads,
            maxStateBytes: options.maxStateBytes, limits: settings.limits)
        // Spawning and loading a Swift runtime comes on top of the plugin's own init budget.
        let readyWithin = options.initBudget + .seconds(10)
        let label = PathString.lastComponent(path)
        let first: RunnerConnection
        let descriptor: PluginDescriptor
        let checks: Bool
        do {
            (first, descriptor, checks) = try await RunnerConnection.start(
                runner: runner, setup: setup, pluginID: label, services: services, readyWithin: readyWithin)
        } catch {
            return .failure(.runnerFailed(error.description))
        }
        let id = descriptor.id
        let start: RunnerSlot.Start = {
            do throws(RunnerConnection.StartError) {
                let (c, d, _) = try await RunnerConnection.start(
                    runner: runner, setup: setup, pluginID: id, services: services,
                    readyWithin: readyWithin)
                guard d.id == id else {
                    c.kill(reason: "the file now holds plugin \(d.id)")
                    return .failure(
                        TaskError(
                            kind: .system, retryable: false, code: .pluginFileChanged,
                            message: "plugin \(id): \(path) now holds plugin \(d.id); restart aloft to load it"))
                }
                if services.signals.isHurried { c.tell(.hurry) }
                return .success(c)
            } catch {
                return .failure(
                    TaskError(
                        kind: .system, retryable: true, code: .pluginRunnerStart,
                        message: "plugin \(id): a new runner could not start: \(error.description)", cause: error))
            }
        }
        let plugin = IsolatedPlugin(
            descriptor: descriptor, path: path, options: options, settings: settings, checksTasks: checks,
            services: services, first: first, start: start)
        let slots = plugin.slots
        services.signals.onHurry { for slot in slots { slot.current?.tell(.hurry) } }
        return .success(plugin)
    }

    // MARK: Task calls

    public func submit(_ task: TaskInvocation) async throws(TaskError) -> [UInt8] {
        if isQuarantined { throw quarantined() }
        var submitted = false
        defer { if !submitted { services.secretPolicy.revoke(plugin: id, task: task.executionID) } }
        if Task.isCancelled {
            throw TaskError(
                kind: .system, retryable: false, code: .pluginCallCancelled,
                message: "cancelled before plugin \(id)'s submit was made")
        }
        guard case .state(let state) = try await perform(.submit, task, cancellable: true) else {
            throw unexpected(.submit)
        }
        submitted = true
        return state
    }

    public func poll(_ task: TaskInvocation) async throws(TaskError) -> PollOutcome {
        guard case .outcome(var outcome) = try await perform(.poll, task, cancellable: true) else {
            throw unexpected(.poll)
        }
        outcome.statusMessage = outcome.statusMessage.map(services.redactor.redact)
        if var error = outcome.error {
            error.message = services.redactor.redact(error.message)
            outcome.error = error
        }
        if outcome.phase == .succeeded, let outputs = outcome.outputs,
            let mismatch = outputMismatch(outputs, against: task.outputTypes)
        {
            throw mismatch
        }
        return outcome
    }

    public func abort(_ task: TaskInvocation) async throws(TaskError) {
        services.signals.cancel(task.executionID)
        await endAbandonedCalls(of: task, before: .abort)
        guard case .done = try await perform(.abort, task, cancellable: false) else { throw unexpected(.abort) }
    }

    public func finalize(_ task: TaskInvocation) async throws(TaskError) {
        defer {
            services.secretPolicy.revoke(plugin: id, task: task.executionID)
            services.signals.forget(task.executionID)
        }
        await endAbandonedCalls(of: task, before: .finalize)
        guard case .done = try await perform(.finalize, task, cancellable: false) else { throw unexpected(.finalize) }
    }

    public func runSync(_ task: TaskInvocation) async throws(TaskError) -> LiteralMap {
        if isQuarantined { throw quarantined() }
        // Nothing follows the call: the task's secrets end with it.
        defer { services.secretPolicy.revoke(plugin: id, task: task.executionID) }
        guard case .outputs(let outputs) = try await perform(.runSync, task, cancellable: true) else {
            throw unexpected(.runSync)
        }
        if let mismatch = outputMismatch(outputs, against: task.outputTypes) { throw mismatch }
        return outputs
    }

    public func taskLogs(_ task: TaskInvocation) async throws(TaskError) -> [(name: String, uri: String)] {
        guard case .links(let links) = try await perform(.taskLogs, task, cancellable: true) else {
            throw unexpected(.taskLogs)
        }
        return links
    }

    public func checkTask(template: [UInt8]) -> [TaskCheckProblem] {
        guard checksTasks else { return [] }
        let box = Mutex<Result<RunnerReply, TaskError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached { [self] in
            let result: Result<RunnerReply, TaskError>
            do throws(TaskError) {
                result = .success(try await perform(.checkTask, nil, template: template, cancellable: false))
            } catch {
                result = .failure(error)
            }
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        switch box.withLock({ $0 })! {
        case .success(.problems(let problems)):
            return problems.map { TaskCheckProblem(path: $0.path, message: services.redactor.redact($0.message)) }
        case .success:
            return [TaskCheckProblem(path: [], message: "plugin \(id) answered its task check with something else")]
        case .failure(let error):
            return [TaskCheckProblem(path: [], message: "plugin \(id) could not check the task: \(error.message)")]
        }
    }

    /// Nothing is ever deferred: a call that does not return is ended by killing its runner.
    public func waitForDeferredCalls(until deadline: ContinuousClock.Instant, stop: () -> Bool) -> Bool { true }

    public func shutdown() {
        let deadline = ContinuousClock.now + min(options.initBudget, .seconds(5))
        for slot in slots { slot.current?.close(until: deadline) }
    }

    // MARK: Plumbing

    private func perform(
        _ call: RunnerCall, _ task: TaskInvocation?, template: [UInt8] = [],
        cancellable: Bool
    ) async throws(TaskError) -> RunnerReply {
        let lane = task?.executionID
        // The task's secrets, granted on each of its calls: its first in this host may be a re-attaching poll.
        if let task { services.secretPolicy.grant(plugin: id, task: task.executionID, secrets: task.secrets) }
        let slot = slots[slotIndex(lane)]
        let resends = call == .submit || call == .runSync ? 1 : 3
        var ends: [RunnerEnd] = []
        let seconds = options.callBudget.secondsValue
        let what = lane.map { "\(call) of \($0)" } ?? "\(call)"
        // After a runner died, the call goes to a runner of its own ("probation"): a runner that dies with
        // several calls in it says nothing about which one killed it, and the others should not pay for it.
        var probation = false
        while true {
            let connection: RunnerConnection
            if !probation, let live = slot.current {
                connection = live
            } else {
                switch await (probation ? start() : slot.connection(start: start)) {
                case .success(let c): connection = c
                case .failure(let error): throw error
                }
            }
            let pending = connection.send(call, task: task, template: template)
            let token = Watchdog.shared.schedule(at: .now + options.callBudget) { pending.end.resolve(.overran) }
            let end = await withTaskCancellationHandler {
                await pending.end.wait()
            } onCancel: {
                guard cancellable else { return }
                if let lane { connection.tell(.cancel(taskExecutionID: lane)) }
                // A submit is waited for (is_cancelled raised): its state is all that says what it started.
                if call != .submit { pending.end.resolve(.cancelled) }
            }
            Watchdog.shared.cancel(token)
            if probation {
                // A probation runner serves one call: closed after its answer, killed if the call was left behind.
                if case .reply = end {
                    Task.detached { connection.close(until: .now + .seconds(5)) }
                } else {
                    connection.kill(reason: "its one call ended without an answer")
                }
            }
            switch end {
            case .reply(.failed(let error)):
                throw TaskError(
                    kind: error.kind, retryable: error.retryable, code: error.code,
                    message: services.redactor.redact(error.message), cause: error.cause)
            case .reply(let reply):
                return reply
            case .cancelled:
                services.logger.warning(
                    "plugin \(id): \(what) abandoned: the task was cancelled while the call ran in its runner")
                throw TaskError(
                    kind: .system, retryable: false, code: .pluginCallCancelled,
                    message: "cancelled while plugin \(id) was in \(call); the call was abandoned")
            case .overran:
                let n = overruns.add(1, ordering: .relaxed).newValue
                let limit = options.quarantineAfter
                let standing =
                    n >= limit ? "the plugin is now quarantined until it is reloaded" : "quarantine after \(limit)"
                services.logger.error(
                    "plugin \(id): \(what) overran its budget of \(seconds) s; its runner (pid \(connection.pid)) is killed (overrun \(n); \(standing))"
                )
                connection.kill(reason: "\(what) overran its budget of \(seconds) s")
                throw TaskError(
                    kind: .system, retryable: false, code: .pluginCallOverran,
                    message: "plugin \(id) did not return from \(call) within \(seconds) s; its runner was killed")
            case .died(let how):
                ends.append(how)
                if ends.count > resends {
                    let history = ends.count > 1 ? " (\(ends.count) runners in a row ended during this call)" : ""
                    throw TaskError(
                        kind: .system, retryable: false, code: .pluginRunnerDied,
                        message: "plugin \(id): its runner \(how) during \(call)\(history)")
                }
                services.logger.warning(
                    "plugin \(id): its runner (pid \(connection.pid)) \(how) during \(what); sending the call to a runner of its own"
                )
                probation = true
            }
        }
    }

    /// A task's calls go to one runner; tasks spread over all of them.
    private func slotIndex(_ lane: String?) -> Int {
        guard let lane, slots.count > 1 else { return 0 }
        // FNV-1a: stable across runs (Hasher is seeded per process), so a resumed task finds the same slot.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in lane.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(h % UInt64(slots.count))
    }

    /// Gives calls of `task` that were abandoned (its cancellation) a moment to return; then kills their
    /// runner so the abort or finalize does not queue behind them.
    private func endAbandonedCalls(of task: TaskInvocation, before call: RunnerCall) async {
        guard let connection = slots[slotIndex(task.executionID)].current else { return }
        let deadline = ContinuousClock.now + (services.signals.isHurried ? .zero : Self.abandonedCallGrace)
        while !connection.pending(lane: task.executionID).isEmpty {
            if ContinuousClock.now >= deadline {
                let stuck = connection.pending(lane: task.executionID).map { "\($0.call)" }.joined(separator: ", ")
                services.logger.warning(
                    "plugin \(id): \(stuck) of \(task.executionID) did not return after it was cancelled; killing its runner (pid \(connection.pid)) before \(call)"
                )
                connection.kill(reason: "\(stuck) of \(task.executionID) did not return after the task was cancelled")
                return
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func quarantined() -> TaskError {
        TaskError(
            kind: .system, retryable: false, code: .pluginQuarantined,
            message:
                "plugin \(id) is quarantined after \(overrunCount) calls overran their budget: it takes no new tasks "
                + "until it is reloaded (restart aloft)")
    }

    private func unexpected(_ call: RunnerCall) -> TaskError {
        TaskError(
            kind: .system, retryable: false, code: .runnerProtocol,
            message: "plugin \(id)'s runner answered \(call) with another call's result")
    }
}
