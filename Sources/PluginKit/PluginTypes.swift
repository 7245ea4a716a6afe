import AloftWire

/// A plugin's identity, as its descriptor states it.
public struct PluginInfo: Sendable {
    public var id: String
    public var version: String
    public var description: String
    public var taskTypes: [String]
    /// The task types completed within one call (ABI 1.1, `sync_task_types`): each also in `taskTypes`. The
    /// host calls `Plugin.runSync` for them, never submit/poll/abort/finalize.
    public var syncTaskTypes: [String]
    /// Whether the plugin offers `Plugin.check` to the host (extension "aloft.task-check/1"). False for a
    /// plugin with nothing to check: a host then needs nothing of it to compile a spec, and may leave it
    /// uninitialized until a task calls it (a re-run whose every node hits the cache never does).
    public var checksTasks: Bool

    public init(
        id: String, version: String, description: String = "", taskTypes: [String], syncTaskTypes: [String] = [],
        checksTasks: Bool = true
    ) {
        self.syncTaskTypes = syncTaskTypes
        self.checksTasks = checksTasks
        self.id = id
        self.version = version
        self.description = description
        self.taskTypes = taskTypes
    }
}

/// An error a plugin reports: who is at fault and whether trying again can help.
public struct PluginError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case user, system }

    public var kind: Kind
    public var retryable: Bool
    public var code: String
    public var message: String

    public init(kind: Kind, retryable: Bool, code: String = "", message: String) {
        self.kind = kind
        self.retryable = retryable
        self.code = code
        self.message = message
    }

    /// The user's input or code is wrong; a new attempt is counted against the user retry budget.
    public static func user(_ message: String, code: String = "", retryable: Bool = false) -> PluginError {
        PluginError(kind: .user, retryable: retryable, code: code, message: message)
    }

    /// The platform failed; trying again may help.
    public static func system(_ message: String, code: String = "", retryable: Bool = true) -> PluginError {
        PluginError(kind: .system, retryable: retryable, code: code, message: message)
    }
}

/// Where a task stands, as poll reports it.
public enum TaskPhase: UInt32, Sendable {
    case queued = 1, waitingForResources, initializing, running, succeeded, failed, aborted
}

public struct PollResult: Sendable {
    public var phase: TaskPhase
    /// Poll no sooner than this; nil leaves it to the host's backoff.
    public var pollAfter: Duration?
    /// A new resource state; nil (or empty: the ABI cannot replace a state with an empty one) keeps the current one.
    public var state: [UInt8]?
    public var outputs: LiteralMap?
    public var statusMessage: String?
    public var error: PluginError?

    public init(
        phase: TaskPhase, pollAfter: Duration? = nil, state: [UInt8]? = nil, outputs: LiteralMap? = nil,
        statusMessage: String? = nil, error: PluginError? = nil
    ) {
        self.phase = phase
        self.pollAfter = pollAfter
        self.state = state
        self.outputs = outputs
        self.statusMessage = statusMessage
        self.error = error
    }

    public static func running(pollAfter: Duration? = nil, status: String? = nil, state: [UInt8]? = nil) -> PollResult {
        PollResult(phase: .running, pollAfter: pollAfter, state: state, statusMessage: status)
    }

    public static func succeeded(_ outputs: LiteralMap) -> PollResult {
        PollResult(phase: .succeeded, outputs: outputs)
    }

    public static func failed(_ error: PluginError) -> PollResult { PollResult(phase: .failed, error: error) }
}

/// One call's view of a task: its id, attempt, context document and current resource state.
public struct TaskCall: Sendable {
    public let executionID: String
    public let attempt: Int
    public let contextBytes: [UInt8]
    public let state: [UInt8]

    public init(executionID: String, attempt: Int, contextBytes: [UInt8], state: [UInt8]) {
        self.executionID = executionID
        self.attempt = attempt
        self.contextBytes = contextBytes
        self.state = state
    }

    /// The decoded task context; a malformed one is the host's fault, hence a system error.
    public func context() throws(PluginError) -> TaskContext {
        do { return try TaskContext(bytes: contextBytes) } catch {
            throw .system("task context could not be decoded: \(error)", code: "BadContext", retryable: false)
        }
    }
}

public struct LogLink: Sendable, Equatable {
    public var name: String
    public var uri: String

    public init(name: String, uri: String) {
        self.name = name
        self.uri = uri
    }
}

public enum LogLevel: UInt32, Sendable { case trace = 0, debug, info, warning, error }
