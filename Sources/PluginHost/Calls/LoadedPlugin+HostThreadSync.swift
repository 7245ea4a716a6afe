public import AloftWire
import PluginABI

extension LoadedPlugin {
    /// How a synchronous call with the caller's work around it ended (see runSync(_:before:after:)).
    enum HookedSyncEnd: Sendable {
        case notCalled
        case outputs(LiteralMap)
        case failed(TaskError)
    }

    /// Runs one task of a synchronous type as `runSync` does, with the caller's own work on the plugin's
    /// (host-owned) thread around the call, so none of it hops back to Swift's task pool: `before` runs first
    /// (false: the call is not made and nil is returned), `after` with the outputs of a call that returned
    /// within its budget, before this returns. Neither counts against the call's budget. The engine uses them
    /// to commit a node's intent before the call and its end after it on that thread.
    public func runSync(
        _ task: TaskInvocation, before: @escaping @Sendable () -> Bool,
        after: @escaping @Sendable (LiteralMap) -> Void
    ) async throws(TaskError) -> LiteralMap? {
        if isQuarantined { throw quarantined() }
        defer {
            services.secretPolicy.revoke(plugin: id, task: task.executionID)
            services.signals.forget(task.executionID)
        }
        let run = bound(task, try syncBody(task))
        let end = try await callOnPool(
            "run_sync", task,
            prelude: { before() ? nil : HookedSyncEnd.notCalled },
            onReturn: { end in if case .outputs(let outputs) = end { after(outputs) } }
        ) { [self] () -> HookedSyncEnd in
            do throws(TaskError) { return .outputs(try syncOutputs(run(), task: task)) } catch { return .failed(error) }
        }
        switch end {
        case .notCalled: return nil
        case .outputs(let outputs): return outputs
        case .failed(let error): throw error
        }
    }
}

extension LoadedPlugin {
    /// `submit` with `before` run first on the plugin's (host-owned) thread, outside the call's budget: the
    /// engine commits the submit's intent there instead of waiting for it from async code. Nil when `before`
    /// said not to make the call. A call cancelled before it started runs neither.
    public func submit(
        _ task: TaskInvocation, before: @escaping @Sendable () -> Bool
    ) async throws(TaskError) -> [UInt8]? {
        if isQuarantined { throw quarantined() }
        var done = false
        defer { if !done { services.secretPolicy.revoke(plugin: id, task: task.executionID) } }
        let keep = keepLateSubmitState(of: task)
        guard
            let result = try await call(
                "submit", task, before: before, onLateReturn: keep, bound(task, CallBodies.submit))
        else { return nil }
        let state = try submitted(result)
        done = true
        return state
    }

    /// `finalize` with `before` run first on the plugin's thread (see submit(_:before:)): true when the call
    /// was made, false when `before` said not to. Nil, with nothing run, when the plugin has no finalize or
    /// an earlier call of the task is stuck: the caller then does it its own way (finalize(_:)).
    public func finalize(
        _ task: TaskInvocation, before: @escaping @Sendable () -> Bool
    ) async throws(TaskError) -> Bool? {
        guard raw.table.pointee.finalize != nil, stuckCall(of: task) == nil else { return nil }
        defer {
            services.secretPolicy.revoke(plugin: id, task: task.executionID)
            services.signals.forget(task.executionID)
        }
        let run = bound(withLateSubmitState(task, forget: true), CallBodies.finalize)
        guard let result = try await call("finalize", task, before: before, run) else { return false }
        if result.status != ALOFT_OK {
            throw result.taskError(plugin: id, call: "finalize", redactor: services.redactor)
        }
        return true
    }

    /// One C call (`run`, made by `bound`) with `before` on the plugin's thread first; nil when it said not to
    /// make the call. `onLateReturn`: see callOnPool.
    private func call(
        _ name: String, _ task: TaskInvocation, before: @escaping @Sendable () -> Bool,
        onLateReturn: (@Sendable (CallResult) -> Void)? = nil, _ run: @escaping @Sendable () -> CallResult
    ) async throws(TaskError) -> CallResult? {
        try await callOnPool(
            name, task, prelude: { before() ? nil : .some(nil) },
            onLateReturn: onLateReturn.map { keep in { if let result = $0 { keep(result) } } }
        ) { Optional(run()) }
    }
}
