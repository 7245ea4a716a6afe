public import AloftWire
public import PluginKit

/// The labels every object Aloft makes carries: who made it and for which task, so `kubectl get pods -l
/// aloft.io/execution=...` finds an execution's pods. Values are cut to label rules; the full task
/// execution id is in the annotation `aloft.io/task-execution-id`.
public enum KubeLabels {
    public static func make(call: TaskCall, context: TaskContext) -> [String: JSON] {
        [
            "app.kubernetes.io/managed-by": .string("aloft"),
            "aloft.io/project": .string(KubeNames.labelValue(context.identity.project)),
            "aloft.io/domain": .string(KubeNames.labelValue(context.identity.domain)),
            "aloft.io/execution": .string(KubeNames.labelValue(context.identity.execution)),
            "aloft.io/node": .string(KubeNames.labelValue(context.identity.node)),
            "aloft.io/attempt": .string(String(call.attempt)),
        ]
    }
}

extension PluginError {
    /// An API failure as a plugin error: refused credentials, permissions and invalid objects are the user's
    /// to fix (not retried); a busy or unreachable server, a stale read or a conflict may pass.
    public init(_ error: KubeError) {
        switch error.kind {
        case .unauthorized: self = .user(error.message, code: "KubeUnauthorized")
        case .forbidden: self = .user(error.message, code: "KubeForbidden")
        case .invalid: self = .user(error.message, code: "KubeInvalid")
        case .unavailable: self = .system(error.message, code: "KubeUnavailable", retryable: true)
        case .gone, .conflict: self = .system(error.message, code: "KubeConflict", retryable: true)
        case .notFound, .other: self = .system(error.message, code: "KubeAPI", retryable: false)
        }
    }

    /// A configuration that cannot be used: the user's to fix.
    public init(_ error: KubeConfigError) {
        self = .user(error.message, code: "KubeConfig")
    }
}
