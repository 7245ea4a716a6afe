import AloftWire
import PluginHost

/// Where one node of an execution stands. Terminal states never change again.
public enum NodePhase: String, Sendable, Codable, CaseIterable {
    case queued, running, succeeded, failed, aborted, skipped

    public var isTerminal: Bool { self != .queued && self != .running }
}

/// How many new attempts each kind of failure may cost. User errors (the task's code or inputs) and
/// system errors (the platform) have separate budgets, as in Flyte.
public struct RetryBudget: Sendable, Equatable, Codable {
    public var user: Int
    public var system: Int

    public init(user: Int, system: Int = 3) {
        self.user = user
        self.system = system
    }
}

/// The state of one node, and every transition it may take. A value type with no I/O: the engine feeds it
/// events, persists the new state, then performs the returned action.
public struct NodeState: Sendable, Equatable, Codable {
    public private(set) var phase: NodePhase = .queued
    /// 0-based number of the current (or last) attempt.
    public private(set) var attempt = 0
    public private(set) var userFailures = 0
    public private(set) var systemFailures = 0
    public private(set) var lastError: TaskError?
    /// True when the node's outputs came from the cache.
    public private(set) var cached = false
    /// The plugin call under way, persisted before it is made: found on resume, it means the host died in it.
    public var callInFlight: CallInFlight?
    public let budget: RetryBudget

    public init(budget: RetryBudget) { self.budget = budget }

    /// What the engine must do after a transition.
    public enum Action: Sendable, Equatable {
        /// Start attempt `attempt` (submit through the plugin).
        case submit(attempt: Int)
        /// Finalize the attempt that just ended, then start attempt `next`.
        case retry(next: Int)
        /// Finalize the attempt that just ended; the node is done.
        case finish
        /// Abort attempt `attempt` through the plugin and finalize it; then `actionAfterAbort`.
        case abortAttempt(attempt: Int)
        case nothing
    }

    public enum Event: Sendable, Equatable {
        case start
        case cacheHit
        case attemptSucceeded
        case attemptFailed(TaskError)
        case timedOut
        case abortRequested
        case upstreamFailed
    }

    public enum TransitionError: Error, Equatable, CustomStringConvertible {
        case invalid(from: NodePhase, event: String)
        public var description: String {
            switch self {
            case .invalid(let from, let event): return "a \(from.rawValue) node cannot take \(event)"
            }
        }
    }

    /// Applies `event`; the node's new state is `self`, the returned action is what to do next.
    public mutating func apply(_ event: Event) throws(TransitionError) -> Action {
        switch (phase, event) {
        case (.queued, .start):
            phase = .running
            return .submit(attempt: attempt)
        case (.queued, .cacheHit):
            phase = .succeeded
            cached = true
            return .nothing
        case (.queued, .upstreamFailed):
            phase = .skipped
            return .nothing
        case (.queued, .abortRequested):
            phase = .aborted
            return .nothing
        case (.running, .attemptSucceeded):
            phase = .succeeded
            return .finish
        case (.running, .attemptFailed(let error)):
            return fail(error)
        case (.running, .timedOut):
            // A timeout is the task's: it counts against the user budget and is retryable.
            return fail(TaskError(kind: .user, retryable: true, code: .timeout, message: "attempt \(attempt) exceeded the task's timeout"), abortFirst: true)
        case (.running, .abortRequested):
            phase = .aborted
            return .abortAttempt(attempt: attempt)
        default:
            throw .invalid(from: phase, event: Self.name(event))
        }
    }

    private mutating func fail(_ error: TaskError, abortFirst: Bool = false) -> Action {
        lastError = error
        let ended = attempt
        let exhausted: Bool
        switch error.kind {
        case .user:
            userFailures += 1
            exhausted = userFailures > budget.user
        case .system:
            systemFailures += 1
            exhausted = systemFailures > budget.system
        }
        if error.retryable && !exhausted {
            attempt += 1
            return abortFirst ? .abortAttempt(attempt: ended) : .retry(next: attempt)
        }
        phase = .failed
        return abortFirst ? .abortAttempt(attempt: ended) : .finish
    }

    /// What follows a finished `.abortAttempt`: the next attempt after a retried timeout, else the end.
    public var actionAfterAbort: Action {
        phase == .running ? .submit(attempt: attempt) : .nothing
    }

    static func name(_ e: Event) -> String {
        switch e {
        case .start: return "start"
        case .cacheHit: return "a cache hit"
        case .attemptSucceeded: return "a success"
        case .attemptFailed: return "a failure"
        case .timedOut: return "a timeout"
        case .abortRequested: return "an abort"
        case .upstreamFailed: return "an upstream failure"
        }
    }
}

extension TaskError: Codable {
    enum CodingKeys: String, CodingKey { case kind, retryable, code, message }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: Kind(rawValue: try c.decode(String.self, forKey: .kind)) ?? .system, retryable: try c.decode(Bool.self, forKey: .retryable),
                  code: Code(rawValue: try c.decode(String.self, forKey: .code)), message: try c.decode(String.self, forKey: .message))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encode(retryable, forKey: .retryable)
        try c.encode(code.rawValue, forKey: .code)
        try c.encode(message, forKey: .message)
    }
}

extension NodeState {
    /// The JSON that `JSONEncoder` would write for this state (same keys, nil left out; `JSONDecoder` reads it
    /// back), built without Codable: a node commits its state three times, and the encoder cost a quarter of
    /// each commit.
    var jsonText: String {
        var o: [String: JSON] = [
            "phase": .string(phase.rawValue), "attempt": .integer(Int64(attempt)), "userFailures": .integer(Int64(userFailures)),
            "systemFailures": .integer(Int64(systemFailures)), "cached": .bool(cached),
            "budget": .object(["user": .integer(Int64(budget.user)), "system": .integer(Int64(budget.system))]),
        ]
        if let e = lastError {
            o["lastError"] = .object(["kind": .string(e.kind.rawValue), "retryable": .bool(e.retryable), "code": .string(e.code.rawValue),
                                      "message": .string(e.message)])
        }
        if let c = callInFlight {
            o["callInFlight"] = .object(["call": .string(c.call), "attempt": .integer(Int64(c.attempt)), "deaths": .integer(Int64(c.deaths))])
        }
        return JSONWriter.string(.object(o))
    }
}
