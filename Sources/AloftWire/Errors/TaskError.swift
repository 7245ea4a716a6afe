/// An error about a task, whoever detected it: the plugin (its aloft_error) or the host (an overrun, an
/// invalid result). `kind` decides which retry budget pays for a new attempt.
public struct TaskError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Who is at fault: the user's task (its inputs, its code) or the platform.
    public enum Kind: String, Sendable { case user, system }

    public var kind: Kind
    /// Whether a new attempt may help.
    public var retryable: Bool
    /// What went wrong, in one word: one of the host's codes or the plugin's own (see ``Code``).
    public var code: Code
    /// What went wrong and, where it helps, what to do about it; users read it.
    public var message: String
    /// The error underneath, where there is one (a binding that did not resolve, a runner that did not
    /// start). Context for whoever debugs: it is not compared, not persisted, not sent to runners, and not in
    /// ``description``.
    public var cause: (any Error)?

    /// An error with its code and message, and the error underneath it if there is one.
    public init(kind: Kind, retryable: Bool, code: Code, message: String, cause: (any Error)? = nil) {
        self.kind = kind
        self.retryable = retryable
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Two errors are equal when they say the same (kind, retryable, code, message), whatever their causes.
    public static func == (lhs: TaskError, rhs: TaskError) -> Bool {
        lhs.kind == rhs.kind && lhs.retryable == rhs.retryable && lhs.code == rhs.code && lhs.message == rhs.message
    }

    public var description: String {
        "\(kind) error\(retryable ? " (retryable)" : "")\(code.isEmpty ? "" : " \(code)"): \(message)"
    }
}
