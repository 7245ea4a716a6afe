public import FoundationEssentials
public import Logging
import Synchronization

/// The plugin host: finds and loads plugins, routes task types to them, and shuts them down.
///
/// What it serves is a snapshot (catalog and router) that `rescan()` replaces whole when plugin files appear
/// in its directories; every lookup reads the snapshot of its moment.
public final class PluginHost: Sendable {
    public let configuration: HostConfiguration
    public let services: HostServices
    /// Where `rescan()` looks, and with what, as at start-up.
    let sources: ScanSources
    let live: Mutex<LiveState>

    /// The plugin files found so far, loaded or refused (see `snapshot` for a consistent pair with `router`).
    public var catalog: PluginCatalog { snapshot.catalog }
    public var router: TaskRouter { snapshot.router }
    public var snapshot: PluginSnapshot { live.withLock { $0.snapshot } }

    private init(
        configuration: HostConfiguration, snapshot: PluginSnapshot, services: HostServices, sources: ScanSources,
        seen: [String: DescriptorCache.Key]
    ) {
        self.configuration = configuration
        self.services = services
        self.sources = sources
        self.live = Mutex(LiveState(snapshot: snapshot, seen: seen))
    }

    /// Loads every plugin the configuration reaches; never fails as a whole (see `catalog` and `problems`).
    ///
    /// With `taskTypes`, only the plugins serving those types are initialized; the others are listed as
    /// `notNeeded` and still routed by (their descriptors cached by file identity, see `DescriptorCache`),
    /// so a type's plugin and every explanation stay what they are with all plugins loaded.
    ///
    /// With `deferring` (types of `taskTypes` that the command may never call: those of cached tasks), a
    /// plugin serving only such types waits for its first task call to be initialized, when its file's
    /// descriptor cache says it checks no tasks (`PluginRecord.Status.deferred`, `initializedPlugin`).
    public static func start(
        configuration: HostConfiguration, logger: Logger = Logger(label: "aloft"),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directories: [PluginDirectory]? = nil, probe: PluginProbe? = nil, taskTypes: Set<String>? = nil,
        deferring: Set<String> = []
    ) async -> PluginHost {
        var stores: [any SecretStore] = [EnvironmentSecretStore(environment: environment)]
        if let dir = configuration.secretsDirectory {
            stores.append(DirectorySecretStore(directory: URL(fileURLWithPath: dir)))
        }
        let services = HostServices(
            logger: logger, secrets: ChainedSecretStore(stores),
            secretPolicy: SecretPolicy(granted: configuration.secretGrants))
        let dirs = directories ?? PluginSearchPath.directories(configuration: configuration, environment: environment)
        let sources = ScanSources(
            directories: dirs, probe: probe ?? .standard(environment: environment), needed: taskTypes,
            descriptors: .standard(environment: environment))
        // Identities taken before loading: a file that changes while it loads is looked at again by a rescan.
        let seen = ScanSources.identities(PluginCatalog.files(in: dirs))
        let catalog = await PluginCatalog.load(
            configuration: configuration, services: services, directories: dirs, probe: sources.probe,
            needed: taskTypes, deferring: taskTypes == nil ? [] : deferring, descriptors: sources.descriptors)
        return PluginHost(
            configuration: configuration, snapshot: PluginSnapshot(catalog: catalog, configuration: configuration),
            services: services, sources: sources, seen: seen)
    }

    /// Everything wrong with the configuration: routing conflicts, bad routes, enabled ids not found.
    public var problems: [String] { snapshot.problems }

    /// The plugin that serves `taskType` now, or an explanation naming the served types.
    public func plugin(forTaskType taskType: String) -> Result<any TaskPlugin, RoutingError> {
        let snapshot = snapshot
        let router = snapshot.router
        let catalog = snapshot.catalog
        guard let id = router.pluginID(for: taskType) else {
            return .failure(RoutingError(taskType: taskType, message: router.explainUnserved(taskType)))
        }
        guard let plugin = catalog.plugin(id: id) else {
            let deferred = catalog.deferredRecord(id: id) != nil
            let message =
                "task type \"\(taskType)\" is served by plugin \(id), which this command did not initialize"
                + (deferred ? " yet (deferred to its first task call: see initializedPlugin)" : "")
            return .failure(RoutingError(taskType: taskType, message: message))
        }
        return .success(plugin)
    }

    /// Shuts every loaded plugin down (each at most once). Call when no task call is in flight.
    ///
    /// An abort or finalize that had to wait behind a call the engine abandoned (Ctrl-C during a long poll)
    /// runs when that call returns: the host waits for those first, at most `deferredCallGrace`, and not at
    /// all after a second interrupt, so a backend's job is cancelled before `aloft` exits.
    public func shutdown() { shutdown(deferredCallGrace: .seconds(10)) }

    public func shutdown(deferredCallGrace: Duration) {
        // A rescan that ends after this shuts down what it loaded instead of publishing it.
        let catalog = live.withLock { state in
            state.shutDown = true
            return state.snapshot.catalog
        }
        let deadline = ContinuousClock.now + deferredCallGrace
        for plugin in catalog.loaded
        where !plugin.waitForDeferredCalls(until: deadline, stop: { services.signals.isHurried }) {
            services.logger.warning(
                "plugin \(plugin.id): an abort or finalize deferred behind a stuck call did not run before exit; its task may still run"
            )
        }
        for plugin in catalog.loaded { plugin.shutdown() }
    }
}

public struct RoutingError: Error, Sendable, CustomStringConvertible {
    public let taskType: String
    public let message: String
    public var description: String { message }
}
