public import Foundation
import LocatedYAML
public import Logging

/// The plugin host: finds and loads plugins, routes task types to them, and shuts them down.
public final class PluginHost: Sendable {
    public let configuration: HostConfiguration
    public let catalog: PluginCatalog
    public let router: TaskRouter
    public let services: HostServices

    private init(configuration: HostConfiguration, catalog: PluginCatalog, router: TaskRouter, services: HostServices) {
        self.configuration = configuration
        self.catalog = catalog
        self.router = router
        self.services = services
    }

    /// Loads every plugin the configuration reaches; never fails as a whole (see `catalog` and `problems`).
    ///
    /// With `taskTypes`, only the plugins serving those types are initialized; the others are listed as
    /// `notNeeded` and still routed by (their descriptors cached by file identity, see `DescriptorCache`),
    /// so a type's plugin and every explanation stay what they are with all plugins loaded.
    public static func start(
        configuration: HostConfiguration, logger: Logger = Logger(label: "aloft"),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directories: [PluginDirectory]? = nil, probe: PluginProbe? = nil, taskTypes: Set<String>? = nil
    ) async -> PluginHost {
        var stores: [any SecretStore] = [EnvironmentSecretStore(environment: environment)]
        if let dir = configuration.secretsDirectory {
            stores.append(DirectorySecretStore(directory: URL(fileURLWithPath: dir)))
        }
        let services = HostServices(
            logger: logger, secrets: ChainedSecretStore(stores),
            secretPolicy: SecretPolicy(granted: configuration.secretGrants))
        let dirs = directories ?? PluginSearchPath.directories(configuration: configuration, environment: environment)
        let catalog = await PluginCatalog.load(
            configuration: configuration, services: services, directories: dirs,
            probe: probe ?? .standard(environment: environment), needed: taskTypes,
            descriptors: .standard(environment: environment))
        let router = TaskRouter(
            plugins: catalog.serving,
            refused: catalog.records.compactMap { r in
                r.refusal.map {
                    TaskRouter.RefusedFile(path: r.path, reason: $0.description, taskTypes: r.descriptor?.taskTypes)
                }
            },
            routes: configuration.routes,
            locations: configuration.locations.mapValues(\.description))
        return PluginHost(configuration: configuration, catalog: catalog, router: router, services: services)
    }

    /// Everything wrong with the configuration: routing conflicts, bad routes, enabled ids not found.
    public var problems: [String] { catalog.problems + router.problems.map(\.description) }

    /// The plugin that serves `taskType`, or an explanation naming the served types.
    public func plugin(forTaskType taskType: String) -> Result<any TaskPlugin, RoutingError> {
        guard let id = router.pluginID(for: taskType) else {
            return .failure(RoutingError(taskType: taskType, message: router.explainUnserved(taskType)))
        }
        guard let plugin = catalog.plugin(id: id) else {
            let message = "task type \"\(taskType)\" is served by plugin \(id), which this command did not initialize"
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
