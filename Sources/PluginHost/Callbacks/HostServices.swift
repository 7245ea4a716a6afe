import Logging
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

    public init(logger: Logger = Logger(label: "aloft"), secrets: any SecretStore = EnvironmentSecretStore(),
                secretPolicy: SecretPolicy = SecretPolicy()) {
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
public final class SecretPolicy: Sendable {
    private let granted: [String: Set<String>]
    private let inFlight = Mutex<[String: [String: Int]]>([:])
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
        return inFlight.withLock { ($0[plugin]?[secret] ?? 0) > 0 }
    }

    /// A task that declares `secrets` is running on `plugin`.
    public func grant(plugin: String, secrets: [String]) {
        guard !secrets.isEmpty else { return }
        inFlight.withLock { for s in secrets { $0[plugin, default: [:]][s, default: 0] += 1 } }
    }

    public func revoke(plugin: String, secrets: [String]) {
        guard !secrets.isEmpty else { return }
        inFlight.withLock { all in
            for s in secrets {
                let n = (all[plugin]?[s] ?? 1) - 1
                all[plugin]?[s] = n > 0 ? n : nil
            }
        }
    }
}
