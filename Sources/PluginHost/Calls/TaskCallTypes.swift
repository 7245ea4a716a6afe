public import AloftWire

/// One task execution as the host hands it to a plugin.
public struct TaskInvocation: Sendable {
    public let executionID: String
    public let attempt: Int
    /// The encoded task context document (the same bytes for every call of this task).
    public let context: [UInt8]
    /// The resource state from submit or the latest poll that changed it.
    public var state: [UInt8]
    /// Secrets the task declares; the plugin may read them while the task runs.
    public let secrets: [String]
    /// When set, outputs of a successful poll are checked against these types.
    public let outputTypes: TypeMap?

    public init(
        executionID: String, attempt: Int, context: [UInt8], state: [UInt8] = [], secrets: [String] = [],
        outputTypes: TypeMap? = nil
    ) {
        self.executionID = executionID
        self.attempt = attempt
        self.context = context
        self.state = state
        self.secrets = secrets
        self.outputTypes = outputTypes
    }

    /// Builds the invocation for a decoded context; `template`: its task's `TaskContext.encodedTemplate`, when
    /// the caller keeps it.
    public init(context: TaskContext, state: [UInt8] = [], template: [UInt8]? = nil) {
        self.init(
            executionID: context.taskExecutionID, attempt: context.identity.attempt,
            context: context.encoded(template: template),
            state: state, secrets: context.task.secrets, outputTypes: context.task.interface.outputs)
    }
}

public enum TaskPhase: UInt32, Sendable, CustomStringConvertible {
    case queued = 1, waitingForResources, initializing, running, succeeded, failed, aborted

    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .aborted }

    public var description: String {
        switch self {
        case .queued: return "queued"
        case .waitingForResources: return "waiting-for-resources"
        case .initializing: return "initializing"
        case .running: return "running"
        case .succeeded: return "succeeded"
        case .failed: return "failed"
        case .aborted: return "aborted"
        }
    }
}

/// What one poll said.
public struct PollOutcome: Sendable {
    public var phase: TaskPhase
    public var pollAfter: Duration?
    /// A new resource state to persist before acting on this outcome; nil: unchanged.
    public var newState: [UInt8]?
    public var outputs: LiteralMap?
    public var statusMessage: String?
    public var error: TaskError?
}
