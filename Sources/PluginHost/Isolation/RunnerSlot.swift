import AloftWire
import Synchronization

/// One runner process of an isolated plugin's pool, started when first needed and again after it ends.
/// Restarts that follow quick deaths wait longer each time (up to 5 s), so a plugin that crashes at once
/// costs a process every few seconds, not a fork loop.
final class RunnerSlot: Sendable {
    typealias Start = @Sendable () async -> Result<RunnerConnection, TaskError>

    private enum Phase {
        case empty
        case starting(Task<Result<RunnerConnection, TaskError>, Never>)
        case running(RunnerConnection, since: ContinuousClock.Instant)
    }

    private let phase: Mutex<Phase>
    /// Runners of this slot that died within a minute of starting, in a row.
    private let quickDeaths = Mutex<Int>(0)

    init(running connection: RunnerConnection? = nil) {
        phase = Mutex(connection.map { .running($0, since: .now) } ?? .empty)
    }

    /// The live runner, if there is one.
    var current: RunnerConnection? {
        phase.withLock { if case .running(let c, _) = $0, c.isAlive { return c } else { return nil } }
    }

    func connection(start: @escaping Start) async -> Result<RunnerConnection, TaskError> {
        let task = phase.withLock { p -> Task<Result<RunnerConnection, TaskError>, Never> in
            switch p {
            case .running(let c, _) where c.isAlive:
                return Task { .success(c) }
            case .starting(let t):
                return t
            case .running(_, let since):
                let quick = ContinuousClock.now - since < .seconds(60)
                let deaths = quickDeaths.withLock { n in
                    n = quick ? n + 1 : 0
                    return n
                }
                let t = starting(
                    after: deaths == 0 ? .zero : min(.milliseconds(100) * (1 << min(deaths, 6)), .seconds(5)), start)
                p = .starting(t)
                return t
            case .empty:
                let t = starting(after: .zero, start)
                p = .starting(t)
                return t
            }
        }
        return await task.value
    }

    private func starting(
        after delay: Duration, _ start: @escaping Start
    ) -> Task<Result<RunnerConnection, TaskError>, Never> {
        Task { [self] in
            if delay > .zero { try? await Task.sleep(for: delay) }
            let result = await start()
            phase.withLock { p in
                switch result {
                case .success(let c): p = .running(c, since: .now)
                case .failure: p = .empty
                }
            }
            return result
        }
    }
}
