public import AloftWire

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
