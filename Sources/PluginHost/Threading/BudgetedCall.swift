import Dispatch
import Synchronization

/// A plugin call that did not return within its budget.
public struct BudgetExceeded: Error, Sendable {
    public let budget: Duration
}

extension PluginThreadPool {
    /// Runs `body` on a pool thread (in `lane` order) and returns its result, or throws `BudgetExceeded` once
    /// `budget` has passed. The overrunning call keeps its thread and its lane until it returns: later calls
    /// of the same task wait behind it, which is what serialization per task demands.
    public func run<T: Sendable>(
        lane: String?, budget: Duration, onLateReturn: @escaping @Sendable (Duration) -> Void = { _ in },
        _ body: @escaping @Sendable () -> T
    ) async throws(BudgetExceeded) -> T {
        do {
            return try await runAbandonable(
                lane: lane, budget: budget, cancellable: false, onLateReturn: { elapsed, _ in onLateReturn(elapsed) },
                body)
        } catch {
            guard case .overran(let exceeded) = error else {
                fatalError("a call that cannot be cancelled was cancelled")
            }
            throw exceeded
        }
    }

    /// The same, for callers that are not async (start-up, tools). Blocks the calling thread, which must
    /// therefore not be a cooperative-pool thread.
    public func runBlocking<T: Sendable>(
        lane: String?, budget: Duration, _ body: @escaping @Sendable () -> T
    ) throws(BudgetExceeded) -> T {
        let box = Mutex<Result<T, BudgetExceeded>?>(nil)
        let semaphore = DispatchSemaphoreBox()
        let settled = Atomic<Bool>(false)
        enqueue(lane: lane) { [self] in
            let t = Watchdog.shared.schedule(at: .now + budget) { [self] in
                if settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
                    replaceStuckWorker()
                    box.withLock { $0 = .failure(BudgetExceeded(budget: budget)) }
                    semaphore.signal()
                }
            }
            let value = body()
            Watchdog.shared.cancel(t)
            if settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
                box.withLock { $0 = .success(value) }
                semaphore.signal()
            } else {
                stuckWorkerReturned()
            }
        }
        semaphore.wait()
        return try box.withLock { $0! }.get()
    }
}

/// A DispatchSemaphore that can be captured in Sendable closures.
final class DispatchSemaphoreBox: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func signal() { semaphore.signal() }
    func wait() { semaphore.wait() }
}
