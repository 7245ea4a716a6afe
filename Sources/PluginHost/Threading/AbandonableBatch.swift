import Synchronization

/// How a batch of calls run as one job ended (see `PluginThreadPool.runAbandonableBatch`).
public struct BatchEnd<T: Sendable>: Sendable {
    /// The values of the calls that returned within their budget, in item order from the first: item `k`'s
    /// value is `returned[k]`. Items past these (and past the abandoned one) were never called.
    public var returned: [T]
    /// Why the caller stopped waiting for item `returned.count`'s call, which may still be running.
    public var abandoned: CallAbandoned?
    /// The prelude said not to make the calls: none was made.
    public var refused: Bool
}

/// Where one batch stands, for the three that race to end the wait: the pool thread, a call's deadline,
/// cancellation.
private struct BatchState<T: Sendable> {
    enum Phase: Equatable {
        /// Not started on a pool thread yet.
        case queued
        /// On the thread, between calls (the prelude, an item's onReturn, the epilogue).
        case between
        case running(Int)
        /// The waiter was resumed (or is about to be): nothing more is delivered.
        case over
    }

    var phase = Phase.queued
    /// Cancelled between calls: the thread stops before the next call.
    var stopRequested = false
    var returned: [T] = []
    var continuation: CheckedContinuation<BatchEnd<T>, Never>?
    /// The batch ended before the waiter's continuation existed (cancelled before it was queued).
    var early: BatchEnd<T>?
}

extension PluginThreadPool {
    /// Runs `count` calls one after another as ONE job on a pool thread (issue 18: a map's synchronous items
    /// without a hop each), each call bounded by its own `budget` as `runAbandonable` bounds one call: a call
    /// that overruns is abandoned (it keeps its thread, the pool starts another) and the caller resumes with
    /// what returned before it; the items after it are not called. With `cancellable`, a cancelled waiter
    /// abandons the running call the same way, and one cancelled between calls stops before the next (after
    /// the epilogue). A batch cancelled before it started runs nothing.
    ///
    /// Around the calls, on the same thread and outside every budget (never cooperative-pool work): `prelude`
    /// before the first (false: no call is made, `refused`), `onReturn` after each call that returned within its
    /// budget (false: no further call is made, so `count` is then an upper bound: a chain's next call exists
    /// only once the one before it returned), `epilogue` after the last call made, unless a call was abandoned. `onAbandon` runs when a
    /// running call is abandoned, before the caller hears of it; `onLateReturn` when it returns after all.
    public func runAbandonableBatch<T: Sendable>(
        count: Int, budget: Duration, cancellable: Bool,
        onAbandon: @escaping @Sendable (Int, CallAbandoned) -> Void = { _, _ in },
        onLateReturn: @escaping @Sendable (Int, Duration) -> Void = { _, _ in },
        prelude: @escaping @Sendable () -> Bool = { true },
        onReturn: @escaping @Sendable (Int, T) -> Bool = { _, _ in true },
        epilogue: @escaping @Sendable () -> Void = {},
        _ body: @escaping @Sendable (Int) -> T
    ) async -> BatchEnd<T> {
        let state = Mutex(BatchState<T>())
        let deliver: @Sendable (BatchEnd<T>) -> Void = { end in
            let waiting = state.withLock { s -> CheckedContinuation<BatchEnd<T>, Never>? in
                guard let c = s.continuation else {
                    s.early = end
                    return nil
                }
                s.continuation = nil
                return c
            }
            waiting?.resume(returning: end)
        }
        // The running call `k` is abandoned (deadline or cancellation), if it is still the one running.
        let abandon: @Sendable (Int, CallAbandoned) -> Void = { [self] k, why in
            let returned = state.withLock { s -> [T]? in
                guard s.phase == .running(k) else { return nil }
                s.phase = .over
                return s.returned
            }
            guard let returned else { return }
            replaceStuckWorker()
            onAbandon(k, why)
            deliver(BatchEnd(returned: returned, abandoned: why, refused: false))
        }
        let job: Job = { [self] in
            let started = state.withLock { s -> Bool in
                guard s.phase == .queued else { return false }
                s.phase = .between
                return true
            }
            guard started else { return }
            guard prelude() else {
                state.withLock { $0.phase = .over }
                deliver(BatchEnd(returned: [], abandoned: nil, refused: true))
                return
            }
            for k in 0..<count {
                let go = state.withLock { s -> Bool in
                    guard !s.stopRequested else { return false }
                    s.phase = .running(k)
                    return true
                }
                guard go else { break }
                let callStarted = ContinuousClock.now
                // The deadline counts from this call's start, not from the batch's.
                let token = Watchdog.shared.schedule(at: callStarted + budget) {
                    abandon(k, .overran(BudgetExceeded(budget: budget)))
                }
                let value = body(k)
                Watchdog.shared.cancel(token)
                let inTime = state.withLock { s -> Bool in
                    guard s.phase == .running(k) else { return false }
                    s.phase = .between
                    s.returned.append(value)
                    return true
                }
                guard inTime else {
                    // Abandoned: the caller already has the batch's end; this thread leaves it.
                    stuckWorkerReturned()
                    onLateReturn(k, ContinuousClock.now - callStarted)
                    return
                }
                guard onReturn(k, value) else { break }
            }
            epilogue()
            let returned = state.withLock { s -> [T] in
                s.phase = .over
                return s.returned
            }
            deliver(BatchEnd(returned: returned, abandoned: nil, refused: false))
        }
        let operation = { [self] in
            await withCheckedContinuation { (c: CheckedContinuation<BatchEnd<T>, Never>) in
                let early = state.withLock { s -> BatchEnd<T>? in
                    if let early = s.early { return early }
                    s.continuation = c
                    return nil
                }
                if let early {
                    c.resume(returning: early)
                    return
                }
                enqueue(lane: nil, job)
            }
        }
        guard cancellable else { return await operation() }
        return await withTaskCancellationHandler(operation: operation) {
            let running = state.withLock { s -> Int?? in
                switch s.phase {
                case .queued:
                    s.phase = .over
                    return .some(nil)
                case .between:
                    s.stopRequested = true
                    return nil
                case .running(let k): return k
                case .over: return nil
                }
            }
            // Not started: the batch ends with nothing called. Running: that call is abandoned.
            switch running {
            case .some(.none): deliver(BatchEnd(returned: [], abandoned: nil, refused: false))
            case .some(.some(let k)): abandon(k, .cancelled)
            case .none: break
            }
        }
    }
}
