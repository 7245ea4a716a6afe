import AloftWire
import PluginHost
import Testing

@testable import AloftEngine

/// Issue 18: the state machine is the source of truth. Every (phase, event) pair: the phase it leads to and
/// the action the runner performs, or a refusal. A new phase or event must add its row here.
@Suite struct NodeStateTransitionTests {
    static let retryable = TaskError(kind: .user, retryable: true, code: .plugin("Exit1"), message: "exit 1")
    static let permanent = TaskError(kind: .user, retryable: false, code: .plugin("BadSQL"), message: "syntax error")

    static let events: [(String, NodeState.Event)] = [
        ("start", .start), ("cacheHit", .cacheHit), ("upstreamFailed", .upstreamFailed),
        ("abortRequested", .abortRequested),
        ("attemptSucceeded", .attemptSucceeded), ("attemptFailed", .attemptFailed(retryable)),
        ("attemptOverran", .attemptOverran(retryable)),
        ("timedOut", .timedOut), ("concluded.succeeded", .concluded(.succeeded)),
        ("concluded.failed", .concluded(.failed(permanent))),
        ("concluded.aborted", .concluded(.aborted)),
    ]

    /// A node in `phase`, at attempt 0, with one user retry left.
    static func node(in phase: NodePhase) throws -> NodeState {
        var s = NodeState(budget: RetryBudget(user: 1, system: 0))
        switch phase {
        case .queued: break
        case .running: _ = try s.apply(.start)
        case .succeeded: _ = try s.apply(.cacheHit)
        case .skipped: _ = try s.apply(.upstreamFailed)
        case .aborted: _ = try s.apply(.abortRequested)
        case .failed: _ = try s.apply(.concluded(.failed(permanent)))
        }
        #expect(s.phase == phase)
        return s
    }

    /// (phase, event) -> (new phase, action); nil: refused.
    static let table: [String: (NodePhase, NodeState.Action)?] = [
        "queued start": (.running, .submit(attempt: 0)),
        "queued cacheHit": (.succeeded, .nothing),
        "queued upstreamFailed": (.skipped, .nothing),
        "queued abortRequested": (.aborted, .nothing),
        "queued attemptSucceeded": nil,
        "queued attemptFailed": nil,
        "queued attemptOverran": nil,
        "queued timedOut": nil,
        "queued concluded.succeeded": (.succeeded, .nothing),
        "queued concluded.failed": (.failed, .nothing),
        "queued concluded.aborted": (.aborted, .nothing),
        "running start": nil,
        "running cacheHit": nil,
        "running upstreamFailed": nil,
        "running abortRequested": (.aborted, .endAttempt(attempt: 0, abort: true, then: .done)),
        "running attemptSucceeded": (.succeeded, .endAttempt(attempt: 0, abort: false, then: .done)),
        "running attemptFailed": (.running, .endAttempt(attempt: 0, abort: false, then: .submit(attempt: 1))),
        "running attemptOverran": (.running, .endAttempt(attempt: 0, abort: true, then: .submit(attempt: 1))),
        "running timedOut": (.running, .endAttempt(attempt: 0, abort: true, then: .submit(attempt: 1))),
        "running concluded.succeeded": (.succeeded, .nothing),
        "running concluded.failed": (.failed, .nothing),
        "running concluded.aborted": (.aborted, .nothing),
    ]

    @Test(arguments: NodePhase.allCases)
    func everyEventFromEveryPhase(phase: NodePhase) throws {
        for (name, event) in Self.events {
            var s = try Self.node(in: phase)
            let before = s
            let key = "\(phase.rawValue) \(name)"
            // Terminal phases refuse everything; the table holds every other pair.
            let expected: (NodePhase, NodeState.Action)? =
                phase.isTerminal ? nil : try #require(Self.table[key], "no row for \(key)")
            if let (next, action) = expected {
                #expect(try s.apply(event) == action, "\(key)")
                #expect(s.phase == next, "\(key)")
            } else {
                #expect(throws: NodeState.TransitionError.invalid(from: phase, event: NodeState.name(event)), "\(key)")
                { try s.apply(event) }
                #expect(s == before, "\(key): a refused event changed the state")
            }
        }
    }

    @Test func aSecondFailureEndsTheNodeAndAnOverrunIsStillAborted() throws {
        var s = try Self.node(in: .running)
        _ = try s.apply(.attemptFailed(Self.retryable))
        #expect(try s.apply(.attemptOverran(Self.retryable)) == .endAttempt(attempt: 1, abort: true, then: .done))
        #expect(s.phase == .failed && s.userFailures == 2)
    }
}
