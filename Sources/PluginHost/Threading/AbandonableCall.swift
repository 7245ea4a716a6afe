import Synchronization

/// Why a call's caller stopped waiting for it.
public enum CallAbandoned: Error, Sendable {
    /// It did not return within its budget.
    case overran(BudgetExceeded)
    /// The waiting task was cancelled (Ctrl-C, `executions abort`).
    case cancelled
}

/// One call's life, for the three that race to end the wait: the call returning, its deadline, cancellation.
private enum CallPhase: Int, AtomicRepresentable {
    case queued, running, abandoned, cancelledBeforeStart, returned
}

extension PluginThreadPool {
    /// Runs `body` on a pool thread (in `lane` order) and returns its result, or stops waiting once `budget`
    /// has passed or, with `cancellable`, once the waiting task is cancelled. A call abandoned while running
    /// keeps its thread (the pool starts another) and its lane until it returns, if ever: later calls of the
    /// same task wait behind it. `onAbandon` runs when a running call is abandoned, before the caller hears
    /// of it; `onLateReturn`, on the call's thread and in its lane, when an abandoned call returns after all,
    /// with how long it ran and what it returned (nobody else sees that value). A call cancelled before it started
    /// never runs. With `finishesOnceStarted`, cancellation only keeps a call from starting: one already
    /// running is waited for, up to its budget (a submit: its result is all that says what it started).
    ///
    /// The caller's own work can run on the pool thread around the call, sparing a hop each way (it must not
    /// be cooperative-pool work, and it runs outside the budget): `prelude` when the job starts, before the
    /// call (a value it returns ends the call with that value, and `body` is not run); `onReturn` with the
    /// value of a call that returned within its budget, before the caller resumes.
    public func runAbandonable<T: Sendable>(
        lane: String?, budget: Duration, cancellable: Bool, finishesOnceStarted: Bool = false,
        onAbandon: @escaping @Sendable () -> Void = {},
        onLateReturn: @escaping @Sendable (Duration, T) -> Void = { _, _ in },
        prelude: (@Sendable () -> T?)? = nil,
        onReturn: (@Sendable (T) -> Void)? = nil,
        _ body: @escaping @Sendable () -> T
    ) async throws(CallAbandoned) -> T {
        let phase = Atomic<CallPhase>(.queued)
        let waiter = Mutex<CheckedContinuation<Result<T, CallAbandoned>, Never>?>(nil)
        let resume: @Sendable (Result<T, CallAbandoned>) -> Void = { result in
            waiter.withLock { $0.take() }?.resume(returning: result)
        }
        let abandon: @Sendable (CallAbandoned) -> Void = { [self] why in
            if phase.compareExchange(expected: .running, desired: .abandoned, ordering: .acquiringAndReleasing)
                .exchanged
            {
                replaceStuckWorker()
                onAbandon()
                resume(.failure(why))
            } else if phase.compareExchange(
                expected: .queued, desired: .cancelledBeforeStart, ordering: .acquiringAndReleasing
            ).exchanged {
                resume(.failure(why))
            }
        }
        let operation = { [self] in
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, CallAbandoned>, Never>) in
                waiter.withLock { $0 = continuation }
                // Cancelled before the continuation existed: the handler ran first and found nothing to resume.
                if phase.load(ordering: .acquiring) == .cancelledBeforeStart {
                    resume(.failure(.cancelled))
                    return
                }
                let started = ContinuousClock.now
                enqueue(lane: lane) { [self] in
                    if let prelude, phase.load(ordering: .acquiring) == .queued, let early = prelude() {
                        if phase.compareExchange(
                            expected: .queued, desired: .returned, ordering: .acquiringAndReleasing
                        ).exchanged {
                            resume(.success(early))
                        }
                        return
                    }
                    guard
                        phase.compareExchange(expected: .queued, desired: .running, ordering: .acquiringAndReleasing)
                            .exchanged
                    else { return }
                    // The deadline counts from when the call starts, not from when it was queued behind others.
                    let token = Watchdog.shared.schedule(at: .now + budget) {
                        abandon(.overran(BudgetExceeded(budget: budget)))
                    }
                    let value = body()
                    Watchdog.shared.cancel(token)
                    if phase.compareExchange(expected: .running, desired: .returned, ordering: .acquiringAndReleasing)
                        .exchanged
                    {
                        onReturn?(value)
                        resume(.success(value))
                    } else {
                        stuckWorkerReturned()
                        onLateReturn(ContinuousClock.now - started, value)
                    }
                }
            }
        }
        let result: Result<T, CallAbandoned>
        if cancellable {
            result = await withTaskCancellationHandler(operation: operation) {
                if !finishesOnceStarted {
                    abandon(.cancelled)
                } else if phase.compareExchange(
                    expected: .queued, desired: .cancelledBeforeStart, ordering: .acquiringAndReleasing
                ).exchanged {
                    resume(.failure(.cancelled))
                }
            }
        } else {
            result = await operation()
        }
        return try result.get()
    }
}
