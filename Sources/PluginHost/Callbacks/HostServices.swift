public import Logging
import Synchronization

/// The host's side of every callback a plugin may make: logging, secrets, wake-ups, cancellation.
/// One per host; each plugin sees it through its own callback table (`PluginCallbackTable`), so the host
/// knows which plugin is calling.
public final class HostServices: Sendable {
    public let logger: Logger
    public let secrets: any SecretStore
    public let redactor = SecretRedactor()
    public let signals = TaskSignals()
    private let policy: SecretPolicy

    public init(
        logger: Logger = Logger(label: "aloft"), secrets: any SecretStore = EnvironmentSecretStore(),
        secretPolicy: SecretPolicy = SecretPolicy()
    ) {
        self.logger = logger
        self.secrets = secrets
        self.policy = secretPolicy
    }

    public var secretPolicy: SecretPolicy { policy }

    func log(plugin: String, level: UInt32, task: String?, message: String) {
        var logger = logger
        logger[metadataKey: "plugin"] = .string(plugin)
        if let task { logger[metadataKey: "task"] = .string(task) }
        let text = redactor.redact(message)
        switch level {
        case 0: logger.trace("\(text)")
        case 1: logger.debug("\(text)")
        case 2: logger.info("\(text)")
        case 3: logger.warning("\(text)")
        default: logger.error("\(text)")
        }
    }

    enum SecretLookup {
        case value([UInt8])
        case denied
        case notFound
    }

    func secret(plugin: String, name: String) -> SecretLookup {
        guard policy.allows(plugin: plugin, secret: name) else { return .denied }
        guard let value = secrets.secret(named: name) else { return .notFound }
        redactor.remember(value)
        return .value(value)
    }
}

/// Which secrets each plugin may read: those its config grants (`plugins.secrets` in aloft.yaml, `*` for
/// all) and those declared by the tasks it is running right now.
///
/// A task's grant is keyed by its task execution id, so granting is idempotent and one task's end never
/// takes a secret from another: the host grants on every call of a task (its first call in this host may be
/// the poll of a task re-attached after a restart, not a submit) and revokes once, at finalize.
public final class SecretPolicy: Sendable {
    private let granted: [String: Set<String>]
    /// plugin -> task execution id -> the secrets that task declares.
    private let inFlight = Mutex<[String: [String: [String]]]>([:])
    /// A plugin runner's policy: the host that asks for each secret has already decided.
    private let allowsAll: Bool

    public init(granted: [String: Set<String>] = [:]) {
        self.granted = granted
        allowsAll = false
    }

    init(allowingAll: Void) {
        granted = [:]
        allowsAll = true
    }

    func allows(plugin: String, secret: String) -> Bool {
        if allowsAll { return true }
        if let g = granted[plugin], g.contains("*") || g.contains(secret) { return true }
        return inFlight.withLock { $0[plugin]?.values.contains { $0.contains(secret) } ?? false }
    }

    /// Task `task` (a task execution id), which declares `secrets`, is running on `plugin`. Idempotent.
    public func grant(plugin: String, task: String, secrets: [String]) {
        guard !secrets.isEmpty else { return }
        inFlight.withLock { all in
            if all[plugin]?[task] == nil { all[plugin, default: [:]][task] = secrets }
        }
    }

    /// Task `task` is over on `plugin` (finalized, or its submit failed): its grant goes, no other task's. Idempotent.
    public func revoke(plugin: String, task: String) {
        inFlight.withLock { all in
            guard all[plugin]?.removeValue(forKey: task) != nil else { return }
            if all[plugin]?.isEmpty == true { all[plugin] = nil }
        }
    }
}
