import AloftCompiler
import AloftWire
import FoundationEssentials
import Logging
import PluginHost

/// Runs one task call (a task node, a map item, a branch's chosen case) to a terminal state, durably:
///
///   1. persist "running, attempt k, no resource state"       (intent)
///   2. submit -> resource state; persist it                  (a crash from here on re-attaches)
///   3. poll until terminal, persisting every new state
///   4. persist the result, then finalize the attempt
///
/// Writes go through the store's group commit (ExecutionContext.persist); 1, the mark of each later plugin
/// call and 4 are waited for before the call they announce (persistDurably); a new resource state is not.
///
/// Resumed with a record in state 1 it submits again with the same task execution id (submit is
/// idempotent); in states 2-3 it polls with the persisted resource state; a terminal record is returned as is.
///
/// A task type the plugin completes within one call (the synchronous tier, ABI 1.1) takes one call instead of
/// submit/poll/finalize: persist "call in flight" durably, call run_sync, persist the outputs (or the failed
/// attempt) before anyone outside the process sees them. Resumed mid-call, it calls again with the same task
/// execution id (run_sync is idempotent), within the "host died during this call" limit.
struct TaskRunner {
    let context: ExecutionContext
    let path: String
    let task: CompiledTask
    let inputs: LiteralMap
    let cache: CacheLookup?

    init(context: ExecutionContext, path: String, task: CompiledTask, inputs: LiteralMap) {
        self.context = context
        self.path = path
        self.task = task
        self.inputs = inputs
        cache = task.cache.map {
            CacheLookup(
                project: context.execution.project, domain: context.execution.domain, task: task, policy: $0,
                inputs: inputs)
        }
    }

    private var reservationOwner: String { "\(context.execution.id)/\(path)" }

    func run() async -> NodeRecord {
        var record =
            context.record(path)
            ?? NodeRecord(
                execution: context.execution.id, node: path,
                state: NodeState(budget: RetryBudget(user: task.retries, system: context.options.systemRetries)),
                inputs: inputs)
        if record.state.phase.isTerminal { return record }
        func noPlugin(_ e: RoutingError) -> NodeRecord {
            fail(&record, TaskError(kind: .system, retryable: false, code: .noPlugin, message: e.message, cause: e))
        }
        // A cache hit calls no plugin: one the command deferred (PluginHost.start(deferring:)) is initialized
        // only at a miss.
        switch context.host.servingPluginID(forTaskType: task.template.type) {
        case .success(let id): record.pluginID = id
        case .failure(let e): return noPlugin(e)
        }
        record.taskVersion = task.template.version
        if record.state.phase == .queued, let cache, await reuseCache(cache, &record) { return record }
        let plugin: any TaskPlugin
        switch await context.host.initializedPlugin(forTaskType: task.template.type) {
        case .success(let p): plugin = p
        case .failure(let e): return noPlugin(e)
        }
        record.pluginID = plugin.id
        // The attempt to start: the state machine's word for a new node; a resumed one re-enters the action
        // of its stored state (submit, or re-attach to, its current attempt).
        let first: Int
        if record.state.phase == .queued {
            let sync = plugin.descriptor.isSynchronous(task.template.type)
            switch context.apply(sync ? .startSync : .start, to: &record) {
            case .submit(let attempt)?, .call(let attempt)?: first = attempt
            default: return record
            }
            // A chain's call journaled, never stored, that a host died in: the mark it would have stored, so the
            // death is counted (attempts).
            if sync, context.diedInCall(path) == first {
                record.taskExecutionID = invocation(first).executionID
                record.state.callInFlight = CallInFlight(call: "run_sync", attempt: first)
            }
        } else {
            first = record.state.attempt
        }
        let started = record
        let quotas = QuotaSlots(store: context.store, limits: context.options.quotas, ttl: context.options.leaseTTL)
        let done = await quotas.holding(
            task.template.type, owner: reservationOwner,
            waiting: { context.events(.nodeStatus(path: path, message: $0)) }
        ) {
            await context.overall.run {
                await context.limiter.run { await attempts(started, from: first, plugin) }
            }
        }
        if let cache {
            // The result is durable before a cache entry shows it to other executions.
            if done.state.phase == .succeeded, context.stopped.reason(path) == nil, let outputs = done.outputs,
                await context.durable(path)
            {
                do {
                    try context.store.putCacheEntry(
                        CacheEntry(
                            key: cache.key, project: context.execution.project, domain: context.execution.domain,
                            task: task.name,
                            cacheVersion: task.cache?.version ?? "", interfaceHash: cache.interfaceHash,
                            inputsHash: cache.inputsHash, outputs: outputs,
                            producer: .init(
                                execution: context.execution.id, node: path, attempt: done.state.attempt,
                                taskVersion: task.template.version)))
                } catch {
                    context.logger.warning("cannot write the cache entry of \(path): \(error)")
                }
            }
            if task.cache?.serialize == true { try? context.store.release(key: cache.key, owner: reservationOwner) }
        }
        return done
    }

    /// A usable cache hit finishes the node; with `serialize`, waits while another node computes the same
    /// entry (saying who holds it), then takes the hit or the reservation.
    private func reuseCache(_ cache: CacheLookup, _ record: inout NodeRecord) async -> Bool {
        func hit(_ record: inout NodeRecord) -> Bool {
            guard !context.options.overwriteCache, let entry = try? context.store.cacheEntry(key: cache.key),
                CacheLookup.usable(entry, outputs: task.interface.outputs)
            else { return false }
            guard context.apply(.cacheHit, to: &record) != nil else { return false }
            record.outputs = entry.outputs
            record.cachedFrom = "\(entry.producer.execution)/\(entry.producer.node)"
            _ = persist(&record)
            context.events(.cacheHit(path: path, producer: record.cachedFrom!))
            context.events(.nodeFinished(path: path, phase: .succeeded, cached: true))
            return true
        }
        if hit(&record) { return true }
        guard task.cache?.serialize == true else { return false }
        var announced: String?
        while !Task.isCancelled {
            let holder: String?
            do {
                holder = try context.store.reserve(
                    key: cache.key, owner: reservationOwner,
                    until: Date().addingTimeInterval(context.options.reservationTTL.secondsValue))
            } catch {
                context.logger.warning("cache reservation of \(path) failed: \(error); computing without it")
                return false
            }
            guard let holder else {
                // Ours. The holder may have stored its entry and released between our last look and this
                // reservation: look once more before computing.
                guard hit(&record) else { return false }
                try? context.store.release(key: cache.key, owner: reservationOwner)
                return true
            }
            if announced != holder {
                announced = holder
                record.statusMessage = "waiting for the cache entry being computed by \(holder)"
                _ = persist(&record)
                context.events(.nodeStatus(path: path, message: record.statusMessage!))
            }
            try? await Task.sleep(for: .milliseconds(50))
            if hit(&record) { return true }
        }
        return false
    }

    /// Keeps a `serialize` reservation alive while the attempt runs.
    private func renewReservation(_ last: inout ContinuousClock.Instant) {
        guard let cache, task.cache?.serialize == true, ContinuousClock.now - last > context.options.reservationTTL / 3
        else { return }
        last = .now
        _ = try? context.store.reserve(
            key: cache.key, owner: reservationOwner,
            until: Date().addingTimeInterval(context.options.reservationTTL.secondsValue))
    }

    /// Runs attempt `first`, then each attempt the state machine says to start, until it says the node is
    /// done (or the node is stopped).
    private func attempts(_ start: NodeRecord, from first: Int, _ plugin: any TaskPlugin) async -> NodeRecord {
        var record = start
        var next: Int? = first
        while let attempt = next {
            // How many hosts died, one after another, inside the plugin call this attempt is in (see
            // CallInFlight); back to 0 once a call returns.
            var deaths = 0
            var invocation = self.invocation(attempt, state: record.resourceState ?? [])
            let taskExecutionID = invocation.executionID
            if let left = record.state.callInFlight {
                record.state.callInFlight = nil
                if left.attempt == attempt {
                    // The host that ran this attempt died inside this call.
                    var died = left
                    died.deaths += 1
                    deaths = died.deaths
                    let total = (record.state.hostDeaths ?? 0) + 1
                    record.state.hostDeaths = total
                    context.logger.error(
                        "node \(path): the host died during plugin \(plugin.id)'s \(left.call) of attempt \(attempt) (\(died.deaths) time(s))"
                    )
                    if died.deaths > CallInFlight.deathsTolerated || total > CallInFlight.nodeDeathsTolerated {
                        // Finalize is still owed. (A host that died in abort or finalize left the mark of an attempt
                        // that had already ended, stored before those calls: it never gets here.)
                        let failure = died.failure(plugin: plugin.id, total: total)
                        next = await attemptEnded(&record, .attemptFailed(failure), plugin, invocation, deaths: deaths)
                        continue
                    }
                    record.state.callInFlight = died
                }
                guard await persistDurably(&record) else { return record }
            }
            if record.state.synchronous == true {
                next = await syncAttempt(&record, attempt, plugin, invocation, deaths: deaths)
                continue
            }
            // An in-process plugin's thread commits the submit's intent just before the call (see submit).
            var announcing: LoadedPlugin?
            if record.taskExecutionID != taskExecutionID {
                record.taskExecutionID = taskExecutionID
                record.resourceState = nil
                invocation.state = []
                record.state.callInFlight = CallInFlight(call: "submit", attempt: attempt)
                if let direct = inlineSyncPlugin(plugin) {
                    guard context.store(record, committedByCaller: true) else { return record }
                    announcing = direct
                } else {
                    guard await persistDurably(&record) else { return record }
                    context.events(.nodeStarted(path: path, attempt: attempt))
                    if let uri = try? context.attemptURI(path, attempt: attempt, file: "inputs.json") {
                        await context.blobCopies.put(inputs.canonicalBytes, at: uri)
                    }
                }
            }
            if record.resourceState == nil {
                if record.state.callInFlight == nil {
                    record.state.callInFlight = CallInFlight(call: "submit", attempt: attempt, deaths: deaths)
                    guard await persistDurably(&record) else { return record }
                }
                let submitted = await submit(plugin, invocation, announcing: announcing, attempt: attempt)
                // Submit returned: it does not kill the host, whatever killed the ones before.
                deaths = 0
                guard context.stopped.reason(path) == nil else { return record }
                switch submitted {
                case .success(let state):
                    record.resourceState = state
                    invocation.state = state
                    // The first poll follows at once: its mark goes with the state, not waited for (a host that
                    // dies before it is durable left the submit's mark, so the death is counted, and resume
                    // submits again with the same task execution id).
                    record.state.callInFlight = CallInFlight(call: "poll", attempt: attempt, deaths: deaths)
                    // Log links, when the plugin offers them; they are advisory, so a failure is ignored. A
                    // submit cancelled while it ran still returned its state: the poll loop aborts with it.
                    if !Task.isCancelled, let links = try? await plugin.taskLogs(invocation) {
                        record.logLinks = links.map { LogLinkRecord(name: $0.name, uri: $0.uri) }
                    }
                    guard persist(&record) else { return record }
                case .failure(let error):
                    // Cancelled (Ctrl-C, executions abort) before submit was made, or while it ran and it failed:
                    // the attempt is aborted (abort and finalize queue behind a call still inside the plugin).
                    if Task.isCancelled {
                        next = await attemptEnded(&record, .abortRequested, plugin, invocation, deaths: deaths)
                        continue
                    }
                    // A submit that overran may have started something: the state machine has it aborted, after
                    // the attempt's end is stored.
                    let event: NodeState.Event =
                        error.code == .pluginCallOverran ? .attemptOverran(error) : .attemptFailed(error)
                    next = await attemptEnded(&record, event, plugin, invocation, deaths: deaths)
                    continue
                }
            }
            switch await pollUntilTerminal(&record, plugin, &invocation, deaths: &deaths) {
            case .succeeded(let outputs):
                record.outputs = outputs
                if let uri = try? context.attemptURI(path, attempt: attempt, file: "outputs.json") {
                    await context.blobCopies.put(outputs.canonicalBytes, at: uri)
                }
                next = await attemptEnded(&record, .attemptSucceeded, plugin, invocation, deaths: deaths)
            case .failed(let error):
                next = await attemptEnded(&record, .attemptFailed(error), plugin, invocation, deaths: deaths)
            case .timedOut:
                next = await attemptEnded(&record, .timedOut, plugin, invocation, deaths: deaths)
            case .cancelled:
                next = await attemptEnded(&record, .abortRequested, plugin, invocation, deaths: deaths)
            case .storeFailed:
                return record
            }
        }
        return record
    }

    /// One attempt of a synchronous task: its intent stored durably, one run_sync call, its end stored (through
    /// the state machine) before anything else sees it. Returns the next attempt to start, or nil when the node
    /// is done (or stopped).
    private func syncAttempt(
        _ record: inout NodeRecord, _ attempt: Int, _ plugin: any TaskPlugin, _ invocation: TaskInvocation,
        deaths: Int
    ) async -> Int? {
        let result: Result<LiteralMap, TaskError>
        if let direct = inlineSyncPlugin(plugin) {
            // In this process: intent, call and end on the plugin's thread (TaskRunner+InlineSync).
            switch await inlineSyncCall(&record, attempt, direct, invocation, deaths: deaths) {
            case .stopped: return nil
            case .ended(let ended):
                record = ended
                return nil
            case .called(let called): result = called
            }
        } else {
            if record.taskExecutionID != invocation.executionID {
                record.taskExecutionID = invocation.executionID
                record.resourceState = nil
                record.state.callInFlight = CallInFlight(call: "run_sync", attempt: attempt)
                guard await persistDurably(&record) else { return nil }
                context.events(.nodeStarted(path: path, attempt: attempt))
                if let uri = try? context.attemptURI(path, attempt: attempt, file: "inputs.json") {
                    await context.blobCopies.put(inputs.canonicalBytes, at: uri)
                }
            } else if record.state.callInFlight == nil {
                record.state.callInFlight = CallInFlight(call: "run_sync", attempt: attempt, deaths: deaths)
                guard await persistDurably(&record) else { return nil }
            }
            do throws(TaskError) {
                result = .success(
                    try await cancellable(invocation) { () async throws(TaskError) -> LiteralMap in
                        try await plugin.runSync(invocation)
                    })
            } catch {
                result = .failure(error)
            }
        }
        return await syncCallEnded(&record, attempt, plugin, invocation, result)
    }

    /// Ends a synchronous attempt with its call's result (stored before anything else sees it). Returns the
    /// next attempt to start, or nil when the node is done (or stopped). The call returned, so no host death
    /// counts against abort or finalize (see CallInFlight).
    private func syncCallEnded(
        _ record: inout NodeRecord, _ attempt: Int, _ plugin: any TaskPlugin, _ invocation: TaskInvocation,
        _ result: Result<LiteralMap, TaskError>
    ) async -> Int? {
        switch result {
        case .success(let outputs):
            record.outputs = outputs
            if let uri = try? context.attemptURI(path, attempt: attempt, file: "outputs.json") {
                await context.blobCopies.put(outputs.canonicalBytes, at: uri)
            }
            return await attemptEnded(&record, .attemptSucceeded, plugin, invocation, deaths: 0)
        case .failure(let error):
            // Cancelled (Ctrl-C, executions abort), perhaps while the call was still inside the plugin.
            let event: NodeState.Event = Task.isCancelled ? .abortRequested : .attemptFailed(error)
            return await attemptEnded(&record, event, plugin, invocation, deaths: 0)
        }
    }

    /// A synchronous attempt whose call was made elsewhere (a map's batch, SyncItemBatch), its mark durable
    /// before the call: ends it with the call's result and runs the attempts that follow (a retry), as `run`
    /// would have. The node's end, as `run`'s.
    func afterBatchedCall(
        _ called: NodeRecord, _ result: Result<LiteralMap, TaskError>, _ plugin: any TaskPlugin,
        _ invocation: TaskInvocation
    ) async -> NodeRecord {
        var record = called
        let attempt = record.state.attempt
        guard let next = await syncCallEnded(&record, attempt, plugin, invocation, result) else {
            return record
        }
        return await context.overall.run {
            await context.limiter.run { await attempts(record, from: next, plugin) }
        }
    }

    /// The invocation of `attempt` of this node: its task execution id, context and resource state.
    func invocation(_ attempt: Int, state: [UInt8] = []) -> TaskInvocation {
        let identity = context.identity(path, attempt: attempt)
        let outputPrefix = (try? context.attemptURI(path, attempt: attempt, file: "")) ?? context.blobs.rootURI
        let taskContext = TaskContext(
            taskExecutionID: TaskExecutionID.make(identity), identity: identity, task: task.template, inputs: inputs,
            outputPrefix: outputPrefix)
        return TaskInvocation(context: taskContext, state: state, template: context.templates[task.name])
    }

    /// Submit, retried with the same task execution id while the plugin says a retry may help (throttling,
    /// a flaky API): up to 10 tries with backoff, then the attempt fails. `announcing`: the intent is queued
    /// for this in-process plugin's thread to commit before the first try (and announce the attempt); a try
    /// after that waits for it from here. A refused intent stops the node (the caller checks).
    private func submit(
        _ plugin: any TaskPlugin, _ invocation: TaskInvocation, announcing: LoadedPlugin? = nil, attempt: Int = 0
    ) async -> Result<[UInt8], TaskError> {
        var interval = context.options.minPollInterval
        var tries = 0
        var announcing = announcing
        while true {
            do throws(TaskError) {
                if let direct = announcing {
                    announcing = nil
                    let (context, path) = (self.context, self.path)
                    let state = try await cancellable(invocation) { () async throws(TaskError) -> [UInt8]? in
                        try await direct.submit(invocation) {
                            guard context.durableNow(path) else { return false }
                            context.events(.nodeStarted(path: path, attempt: attempt))
                            return true
                        }
                    }
                    guard let state else {
                        return .failure(
                            TaskError(
                                kind: .system, retryable: false, code: .unknown, message: "the intent was not stored"))
                    }
                    return .success(state)
                }
                // Whatever was queued for this node (a first try's intent) is durable before any submit.
                guard await context.durable(path) else {
                    return .failure(
                        TaskError(kind: .system, retryable: false, code: .unknown, message: "the intent was not stored")
                    )
                }
                return .success(
                    try await cancellable(invocation) { () async throws(TaskError) -> [UInt8] in
                        try await plugin.submit(invocation)
                    })
            } catch {
                tries += 1
                if !error.retryable || tries >= 10 || Task.isCancelled { return .failure(error) }
                context.logger.info("submit of \(invocation.executionID) failed (\(error.message)); trying again")
                await context.wakeups.sleep(invocation.executionID, for: interval)
                interval = min(interval * 4, context.options.maxPollInterval)
            }
        }
    }

    /// Runs one plugin call; if this node is cancelled meanwhile (abort, Ctrl-C), the plugin's is_cancelled
    /// turns true so a long call can return early.
    func cancellable<T: Sendable>(
        _ invocation: TaskInvocation, _ call: () async throws(TaskError) -> T
    ) async throws(TaskError) -> T {
        let signals = context.host.services.signals
        let id = invocation.executionID
        let result: Result<T, TaskError> = await withTaskCancellationHandler {
            do throws(TaskError) { return .success(try await call()) } catch { return .failure(error) }
        } onCancel: {
            signals.cancel(id)
        }
        return try result.get()
    }

    private enum PollEnd {
        case succeeded(LiteralMap)
        case failed(TaskError)
        case timedOut
        case cancelled
        case storeFailed
    }

    /// Polls until the task ends. `deaths` (see CallInFlight) goes back to 0 once a poll returns.
    private func pollUntilTerminal(
        _ record: inout NodeRecord, _ plugin: any TaskPlugin, _ invocation: inout TaskInvocation,
        deaths: inout Int
    ) async -> PollEnd {
        let clock = context.options.clock
        let started = clock.now
        var renewed = ContinuousClock.now
        var interval = context.options.minPollInterval
        var unobservable = 0
        var polls = 0
        while true {
            if Task.isCancelled { return .cancelled }
            renewReservation(&renewed)
            if let timeout = task.timeout, clock.now - started > timeout { return .timedOut }
            if record.state.callInFlight == nil {
                record.state.callInFlight = CallInFlight(call: "poll", attempt: record.state.attempt, deaths: deaths)
                guard await persistDurably(&record) else { return .storeFailed }
            }
            polls += 1
            KillPoint.reached("in-poll", count: polls)
            let outcome: PollOutcome
            do throws(TaskError) {
                outcome = try await cancellable(invocation) { () async throws(TaskError) -> PollOutcome in
                    try await plugin.poll(invocation)
                }
            } catch {
                // A poll abandoned because the node was cancelled is an abort, not a failure.
                if Task.isCancelled { return .cancelled }
                deaths = 0
                // Not in a call while it waits: a host killed meanwhile did not die in the plugin.
                record.state.callInFlight = nil
                guard persist(&record) else { return .storeFailed }
                // Could not observe the task this time: retry with backoff unless it will never work.
                unobservable += 1
                if !error.retryable || unobservable > 10 { return .failed(error) }
                await context.wakeups.sleep(invocation.executionID, for: interval)
                interval = min(interval * 2, context.options.maxPollInterval)
                continue
            }
            unobservable = 0
            deaths = 0
            let terminal = outcome.phase.isTerminal
            if let state = outcome.newState {
                record.resourceState = state
                invocation.state = state
            }
            // A terminal poll leaves its mark for attemptEnded to replace; otherwise the wait is outside the plugin.
            if !terminal { record.state.callInFlight = nil }
            if outcome.newState != nil || !terminal {
                guard persist(&record) else { return .storeFailed }
            }
            if let message = outcome.statusMessage, message != record.statusMessage {
                record.statusMessage = message
                context.events(.nodeStatus(path: path, message: message))
            }
            switch outcome.phase {
            case .succeeded: return .succeeded(outcome.outputs ?? [:])
            case .failed:
                return .failed(
                    outcome.error ?? TaskError(kind: .system, retryable: false, code: .unknown, message: "failed"))
            case .aborted:
                return .failed(
                    TaskError(
                        kind: .system, retryable: true, code: .abortedOutside,
                        message: "the task was stopped outside Aloft"))
            default:
                var wait = min(
                    outcome.pollAfter.map { max($0, context.options.minPollInterval) } ?? interval,
                    context.options.maxPollInterval)
                if let timeout = task.timeout { wait = min(wait, max(.zero, timeout - (clock.now - started))) }
                await context.wakeups.sleep(invocation.executionID, for: wait)
                if outcome.pollAfter == nil { interval = min(interval * 2, context.options.maxPollInterval) }
            }
        }
    }

    /// Applies the end of an attempt to the state machine and does what it returns: store the attempt's end,
    /// abort and finalize the attempt, store that they were made. Returns the next attempt to start, or nil
    /// when the node is done (or stopped).
    private func attemptEnded(
        _ record: inout NodeRecord, _ event: NodeState.Event, _ plugin: any TaskPlugin, _ invocation: TaskInvocation,
        deaths: Int
    ) async -> Int? {
        guard let action = context.apply(event, to: &record) else { return nil }
        if case .closeAttempt(_, let then) = action { return attemptClosed(&record, then: then) }
        guard case .endAttempt(let ended, let abort, let then) = action else {
            context.stop(
                path, because: "the end of an attempt led to \(action), not to the attempt's end (a bug in the engine)")
            return nil
        }
        // The attempt's end is stored before the plugin hears of it: a host that dies in abort or finalize is
        // resumed past them, never into them again, and a resume never polls a finalized task.
        record.state.callInFlight = CallInFlight(call: abort ? "abort" : "finalize", attempt: ended, deaths: deaths)
        // An in-process plugin's thread commits the attempt's end just before finalize (nil: it cannot).
        var finalized: Bool?
        if !abort, let direct = plugin as? LoadedPlugin {
            guard context.store(record, committedByCaller: true) else { return nil }
            let (context, path) = (self.context, self.path)
            do { finalized = try await direct.finalize(invocation) { context.durableNow(path) } } catch {
                finalized = true
                context.logger.warning("finalize of \(invocation.executionID) failed: \(error)")
            }
            if finalized == false { return nil }
        }
        if finalized == nil {
            guard await persistDurably(&record) else { return nil }
            if abort {
                do { try await plugin.abort(invocation) } catch {
                    context.logger.warning("abort of \(invocation.executionID) failed: \(error)")
                }
            }
            do { try await plugin.finalize(invocation) } catch {
                context.logger.warning("finalize of \(invocation.executionID) failed: \(error)")
            }
        }
        KillPoint.reached("attempt-finalized")
        record.state.callInFlight = nil
        if case .submit = then, let error = record.state.lastError {
            context.events(.nodeRetrying(path: path, attempt: record.state.attempt, error: error))
        }
        guard persist(&record) else { return nil }
        switch then {
        case .submit(let attempt):
            return attempt
        case .done:
            context.events(.nodeFinished(path: path, phase: record.state.phase, cached: record.state.cached))
            return nil
        }
    }

    /// A synchronous attempt is over (nothing to abort or finalize): its end, with the outputs of a success, is
    /// queued for the group commit; the cache waits until it is durable (see run).
    private func attemptClosed(_ record: inout NodeRecord, then: NodeState.AfterAttempt) -> Int? {
        record.state.callInFlight = nil
        if case .submit = then, let error = record.state.lastError {
            context.events(.nodeRetrying(path: path, attempt: record.state.attempt, error: error))
        }
        guard persist(&record) else { return nil }
        switch then {
        case .submit(let attempt):
            return attempt
        case .done:
            context.events(.nodeFinished(path: path, phase: record.state.phase, cached: record.state.cached))
            return nil
        }
    }

    /// Ends a node that cannot run (no plugin for its type): no plugin call is made.
    private func fail(_ record: inout NodeRecord, _ error: TaskError) -> NodeRecord {
        let final = TaskError(
            kind: error.kind, retryable: false, code: error.code, message: error.message, cause: error.cause)
        guard context.apply(.concluded(.failed(final)), to: &record) != nil, persist(&record) else { return record }
        context.events(.nodeFinished(path: path, phase: record.state.phase, cached: false))
        return record
    }

    /// Queues the record for the next group commit; does not wait (see ExecutionContext.persist).
    private func persist(_ record: inout NodeRecord) -> Bool { context.store(record) }

    /// Persists and waits until the record is durable: before a plugin call the record announces (the
    /// intent before submit, a call's mark before the call, an attempt's end before abort and finalize).
    private func persistDurably(_ record: inout NodeRecord) async -> Bool {
        guard context.store(record) else { return false }
        return await context.durable(path)
    }
}
