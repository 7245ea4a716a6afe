import AloftSystem
import FoundationEssentials
import Synchronization

/// Threads owned by the host on which plugin code runs: never Swift's cooperative pool, never a shared
/// dispatch queue. Jobs with the same lane key run one after another in submission order (calls for one task
/// are serialized); jobs of different lanes run in parallel up to the pool's width.
///
/// A worker stuck in a plugin call past its budget is replaced (see `replaceStuckWorker`) so the pool keeps
/// its width; the stuck thread exits when the call finally returns, if ever.
public final class PluginThreadPool: Sendable {
    public typealias Job = @Sendable () -> Void

    private struct Lane {
        var running = false
        var pending: [Job] = []
    }

    private struct State {
        var ready: [Job] = []
        var readyHead = 0
        var lanes: [String: Lane] = [:]
        var liveWorkers = 0
        var targetWorkers: Int
        var shuttingDown = false
    }

    public let name: String
    private let state: Mutex<State>
    private let condition = ConditionLock()

    public init(name: String, width: Int) {
        self.name = name
        self.state = Mutex(State(targetWorkers: max(1, width)))
        for _ in 0..<max(1, width) { spawnWorker() }
    }

    /// Runs `job` on a pool thread; with a lane key, after every earlier job of that lane has finished.
    public func enqueue(lane: String?, _ job: @escaping Job) {
        let runnable: Job?
        if let lane {
            runnable = state.withLock { s -> Job? in
                if s.lanes[lane, default: Lane()].running {
                    s.lanes[lane]!.pending.append(job)
                    return nil
                }
                s.lanes[lane, default: Lane()].running = true
                return self.laneJob(lane, job)
            }
        } else {
            runnable = job
        }
        if let runnable { push(runnable) }
    }

    /// A worker is stuck in a call that overran its budget: add one so the pool keeps its width.
    public func replaceStuckWorker() {
        state.withLock { $0.targetWorkers += 1 }
        spawnWorker()
    }

    /// The call that overran returned after all: the pool shrinks back (the returning worker leaves).
    public func stuckWorkerReturned() {
        state.withLock { $0.targetWorkers -= 1 }
    }

    public var workerCount: Int { state.withLock { $0.liveWorkers } }

    private func laneJob(_ lane: String, _ job: @escaping Job) -> Job {
        { [self] in
            job()
            let next = state.withLock { s -> Job? in
                guard var l = s.lanes[lane] else { return nil }
                if l.pending.isEmpty {
                    s.lanes[lane] = nil
                    return nil
                }
                let n = l.pending.removeFirst()
                s.lanes[lane] = l
                return n
            }
            if let next { push(laneJob(lane, next)) }
        }
    }

    private func push(_ job: @escaping Job) {
        condition.lock()
        state.withLock { $0.ready.append(job) }
        condition.signal()
        condition.unlock()
    }

    private func spawnWorker() {
        state.withLock { $0.liveWorkers += 1 }
        // The OS name is what ps, top and debuggers show (15 bytes at most).
        let started = HostThread.start(name: Self.osThreadName(name), stackSize: 4 << 20) { [self] in workerLoop() }
        if !started { state.withLock { $0.liveWorkers -= 1 } }
    }

    /// Linux keeps 15 bytes of a thread's name: `ap-` and the last 12 bytes of the pool's name, whose end is
    /// usually the distinctive part of a plugin id (`ap-aloft.spark`, `ap-ample.c-echo`).
    static func osThreadName(_ pool: String) -> String {
        "ap-" + String(decoding: Array(pool.utf8.suffix(12)), as: UTF8.self)
    }

    private func workerLoop() {
        while true {
            condition.lock()
            var job: Job?
            while true {
                let (next, exit) = state.withLock { s -> (Job?, Bool) in
                    if s.liveWorkers > s.targetWorkers || (s.shuttingDown && s.readyHead == s.ready.count) {
                        s.liveWorkers -= 1
                        return (nil, true)
                    }
                    guard s.readyHead < s.ready.count else { return (nil, false) }
                    let j = s.ready[s.readyHead]
                    s.readyHead += 1
                    if s.readyHead > 64 && s.readyHead * 2 > s.ready.count {
                        s.ready.removeFirst(s.readyHead)
                        s.readyHead = 0
                    }
                    return (j, false)
                }
                if exit {
                    condition.unlock()
                    return
                }
                if let next {
                    job = next
                    break
                }
                condition.wait()
            }
            condition.unlock()
            job?()
            // A replaced (formerly stuck) worker leaves once the pool is back at its width.
            let surplus = state.withLock { s -> Bool in
                if s.liveWorkers > s.targetWorkers {
                    s.liveWorkers -= 1
                    return true
                }
                return false
            }
            if surplus { return }
        }
    }

    /// Lets queued jobs finish, then stops the workers.
    public func shutdown() {
        condition.lock()
        state.withLock { $0.shuttingDown = true }
        condition.broadcast()
        condition.unlock()
    }
}
