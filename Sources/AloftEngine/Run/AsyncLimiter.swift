import Synchronization

/// At most `limit` holders at once; the others wait in order. Bounds how many task calls run at the same
/// time, per execution and across the engine.
///
/// A lock, not an actor: a free slot is taken without suspending, so a node pays no hop onto an actor and
/// back (off a plugin's threads and onto them again) per limiter.
final class AsyncLimiter: Sendable {
    private struct State {
        var holders = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire() async {
        let taken = state.withLock { s -> Bool in
            guard s.holders < limit else { return false }
            s.holders += 1
            return true
        }
        if taken { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            // A slot freed since the first look: take it (nobody else is handed it).
            let now = state.withLock { s -> Bool in
                if s.holders < limit {
                    s.holders += 1
                    return true
                }
                s.waiting.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiting.isEmpty {
                s.holders -= 1
                return nil
            }
            return s.waiting.removeFirst()  // the slot passes straight to the next waiter
        }
        next?.resume()
    }

    func run<T: Sendable>(_ body: () async -> T) async -> T {
        await acquire()
        let value = await body()
        release()
        return value
    }
}
