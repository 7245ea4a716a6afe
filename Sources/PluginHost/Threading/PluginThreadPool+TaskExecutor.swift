import Foundation

/// What one worker thread of a pool keeps for itself: the job to run next without waking another thread (a
/// plugin call queued by the task about to suspend on this thread, or that task resumed by the call).
final class WorkerSlot: @unchecked Sendable {
    let pool: ObjectIdentifier
    var next: PluginThreadPool.Job?
    /// Set while the current job ends by handing a task back (see AbandonableCall): enqueued jobs go to `next`.
    var handingOff = false

    init(pool: ObjectIdentifier) { self.pool = pool }

    static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The slot of the calling thread when it is a worker of `pool`.
    static func current(of pool: PluginThreadPool) -> WorkerSlot? {
        guard let raw = pthread_getspecific(key) else { return nil }
        let slot = Unmanaged<WorkerSlot>.fromOpaque(raw).takeUnretainedValue()
        return slot.pool == ObjectIdentifier(pool) ? slot : nil
    }
}

/// A node's task may run on the plugin's own threads (`withTaskExecutorPreference`): its plugin calls then
/// run next on the same thread, with no wake-up of another, while the watchdog still abandons an overrun.
extension PluginThreadPool: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let run: Job = { job.runSynchronously(on: executor) }
        if let slot = WorkerSlot.current(of: self), slot.handingOff, slot.next == nil {
            slot.next = run
        } else {
            enqueue(lane: nil, run)
        }
    }
}
