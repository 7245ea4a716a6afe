public import AloftWire

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
/// events, persists the new state, then performs the returned action (the shape of swift-nio's state machines).
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
    /// How many hosts died in this node's plugin calls, in any call of any attempt (nil: none). Bounds the
    /// deaths a plugin that crashes now and then may cause (`CallInFlight.nodeDeathsTolerated`).
    public var hostDeaths: Int?
    /// True when the node's attempts are single synchronous calls (ABI 1.1, `run_sync`): nothing to submit,
    /// abort or finalize. Set by `.startSync`; nil (false) otherwise, and in records written before the tier.
    public private(set) var synchronous: Bool?
    public let budget: RetryBudget

    public init(budget: RetryBudget) { self.budget = budget }

    /// What the engine must do after a transition, once the new state is stored. The runner does exactly this
    /// (it does not re-derive it from the phase): the transitions below are the one description of a node's life.
    public enum Action: Sendable, Equatable {
        /// Start attempt `attempt` through the plugin (submit; resumed, re-attach to it).
        case submit(attempt: Int)
        /// Make attempt `attempt`'s one synchronous call (resumed mid-call: make it again, same task execution id).
        case call(attempt: Int)
        /// A synchronous attempt `attempt` is over: nothing to abort or finalize; store it, then `then`.
        case closeAttempt(attempt: Int, then: AfterAttempt)
        /// Attempt `attempt` is over: abort it first when `abort` (it may still be running), finalize it, then `then`.
        case endAttempt(attempt: Int, abort: Bool, then: AfterAttempt)
        /// No plugin call: storing the state is all.
        case nothing
    }

    /// What follows an ended attempt.
    public enum AfterAttempt: Sendable, Equatable {
        /// A retry: start attempt `attempt` (submit, or its synchronous call).
        case submit(attempt: Int)
        /// The node is done.
        case done
    }

    public enum Event: Sendable, Equatable {
        case start
        /// Start a node whose task type the plugin completes within one call (the synchronous tier).
        case startSync
        case cacheHit
        case attemptSucceeded
        case attemptFailed(TaskError)
        /// A call of the attempt overran its budget: the plugin may have started something, so the attempt is
        /// aborted before it is finalized; otherwise a failure like any other.
        case attemptOverran(TaskError)
        case timedOut
        case abortRequested
        case upstreamFailed
        /// The node's result is known without a plugin call: a branch, map or sub-workflow node, or a task that
        /// cannot run (no plugin for its type). Never retried.
        case concluded(Conclusion)
    }

    public enum Conclusion: Sendable, Equatable {
        case succeeded
        case failed(TaskError)
        case aborted
    }

    public enum TransitionError: Error, Equatable, CustomStringConvertible {
        case invalid(from: NodePhase, event: String)
        public var description: String {
            switch self {
            case .invalid(let from, let event): return "a \(from.rawValue) node cannot take \(event)"
            }
        }
    }

    /// Applies `event`; the node's new state is `self`, the returned action is what to do next. Every
    /// (phase, event) pair is spelled out, so a new phase or event does not compile until it is decided here.
    public mutating func apply(_ event: Event) throws(TransitionError) -> Action {
        switch (phase, event) {
        case (.queued, .start):
            phase = .running
            return .submit(attempt: attempt)
        case (.queued, .startSync):
            phase = .running
            synchronous = true
            return .call(attempt: attempt)
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
        case (.queued, .concluded(let c)), (.running, .concluded(let c)):
            conclude(c)
            return .nothing
        case (.queued, .attemptSucceeded), (.queued, .attemptFailed), (.queued, .attemptOverran), (.queued, .timedOut):
            throw .invalid(from: phase, event: Self.name(event))

        case (.running, .attemptSucceeded):
            phase = .succeeded
            if synchronous == true { return .closeAttempt(attempt: attempt, then: .done) }
            return .endAttempt(attempt: attempt, abort: false, then: .done)
        case (.running, .attemptFailed(let error)):
            return fail(error, abortFirst: false)
        case (.running, .attemptOverran(let error)):
            return fail(error, abortFirst: true)
        case (.running, .timedOut):
            // A timeout is the task's: it counts against the user budget and is retryable.
            return fail(
                TaskError(
                    kind: .user, retryable: true, code: .timeout,
                    message: "attempt \(attempt) exceeded the task's timeout"), abortFirst: true)
        case (.running, .abortRequested):
            phase = .aborted
            if synchronous == true { return .closeAttempt(attempt: attempt, then: .done) }
            return .endAttempt(attempt: attempt, abort: true, then: .done)
        case (.running, .start), (.running, .startSync), (.running, .cacheHit), (.running, .upstreamFailed):
            throw .invalid(from: phase, event: Self.name(event))

        // Terminal states never change again.
        case (.succeeded, _), (.failed, _), (.aborted, _), (.skipped, _):
            throw .invalid(from: phase, event: Self.name(event))
        }
    }

    private mutating func fail(_ error: TaskError, abortFirst: Bool) -> Action {
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
        let then: AfterAttempt
        if error.retryable && !exhausted {
            attempt += 1
            then = .submit(attempt: attempt)
        } else {
            phase = .failed
            then = .done
        }
        if synchronous == true { return .closeAttempt(attempt: ended, then: then) }
        return .endAttempt(attempt: ended, abort: abortFirst, then: then)
    }

    private mutating func conclude(_ c: Conclusion) {
        switch c {
        case .succeeded:
            phase = .succeeded
        case .failed(let error):
            lastError = error
            phase = .failed
        case .aborted:
            phase = .aborted
        }
    }

    static func name(_ e: Event) -> String {
        switch e {
        case .start: return "start"
        case .startSync: return "a synchronous start"
        case .cacheHit: return "a cache hit"
        case .attemptSucceeded: return "a success"
        case .attemptFailed: return "a failure"
        case .attemptOverran: return "an overrun"
        case .timedOut: return "a timeout"
        case .abortRequested: return "an abort"
        case .upstreamFailed: return "an upstream failure"
        case .concluded: return "a conclusion"
        }
    }
}

extension TaskError: Codable {
    enum CodingKeys: String, CodingKey { case kind, retryable, code, message }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: Kind(rawValue: try c.decode(String.self, forKey: .kind)) ?? .system,
            retryable: try c.decode(Bool.self, forKey: .retryable),
            code: Code(rawValue: try c.decode(String.self, forKey: .code)),
            message: try c.decode(String.self, forKey: .message))
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
        // Written field by field in canonical (sorted) key order, the bytes `JSONWriter` gives the same object
        // as a tree (NodeStateTests holds them equal): building the tree was half of a map item's
        // store cost.
        var w = JSONWriter(reservingCapacity: 160)
        w.writeByte("{")
        w.writeKey("attempt")
        w.writeInteger(Int64(attempt))
        w.writeByte(",")
        w.writeKey("budget")
        w.writeByte("{")
        w.writeKey("system")
        w.writeInteger(Int64(budget.system))
        w.writeByte(",")
        w.writeKey("user")
        w.writeInteger(Int64(budget.user))
        w.writeByte("}")
        w.writeByte(",")
        w.writeKey("cached")
        w.write(JSON.bool(cached))
        if let c = callInFlight {
            w.writeByte(",")
            w.writeKey("callInFlight")
            w.writeByte("{")
            w.writeKey("attempt")
            w.writeInteger(Int64(c.attempt))
            w.writeByte(",")
            w.writeKey("call")
            w.writeString(c.call)
            w.writeByte(",")
            w.writeKey("deaths")
            w.writeInteger(Int64(c.deaths))
            w.writeByte("}")
        }
        if let d = hostDeaths {
            w.writeByte(",")
            w.writeKey("hostDeaths")
            w.writeInteger(Int64(d))
        }
        if let e = lastError {
            w.writeByte(",")
            w.writeKey("lastError")
            w.writeByte("{")
            w.writeKey("code")
            w.writeString(e.code.rawValue)
            w.writeByte(",")
            w.writeKey("kind")
            w.writeString(e.kind.rawValue)
            w.writeByte(",")
            w.writeKey("message")
            w.writeString(e.message)
            w.writeByte(",")
            w.writeKey("retryable")
            w.write(JSON.bool(e.retryable))
            w.writeByte("}")
        }
        w.writeByte(",")
        w.writeKey("phase")
        w.writeString(phase.rawValue)
        if synchronous == true {
            w.writeByte(",")
            w.writeKey("synchronous")
            w.write(JSON.bool(true))
        }
        w.writeByte(",")
        w.writeKey("systemFailures")
        w.writeInteger(Int64(systemFailures))
        w.writeByte(",")
        w.writeKey("userFailures")
        w.writeInteger(Int64(userFailures))
        w.writeByte("}")
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
