import LocatedYAML

/// What a host serves at one moment: every plugin file found and the routes built from them. Replaced whole.
public struct PluginSnapshot: Sendable {
    public let catalog: PluginCatalog
    public let router: TaskRouter

    init(catalog: PluginCatalog, configuration: HostConfiguration) {
        self.catalog = catalog
        router = TaskRouter(
            plugins: catalog.serving,
            refused: catalog.records.compactMap { r in
                r.refusal.map {
                    TaskRouter.RefusedFile(path: r.path, reason: $0.description, taskTypes: r.descriptor?.taskTypes)
                }
            },
            routes: configuration.routes,
            locations: configuration.locations.mapValues(\.description))
    }

    /// Everything wrong with the configuration: routing conflicts, bad routes, enabled ids not found.
    public var problems: [String] { catalog.problems + router.problems.map(\.description) }
}

/// Where a host finds plugin files, and what it reads them with: kept for `PluginHost.rescan()`.
struct ScanSources: Sendable {
    let directories: [PluginDirectory]
    let probe: PluginProbe
    let needed: Set<String>?
    let descriptors: DescriptorCache?

    /// Each file's identity (device, inode, size, modification time) by path; files gone meanwhile are left out.
    static func identities(
        _ files: [(path: String, origin: PluginDirectory.Origin)]
    ) -> [String: DescriptorCache.Key] {
        var keys: [String: DescriptorCache.Key] = [:]
        for file in files { keys[file.path] = DescriptorCache.Key(path: file.path) }
        return keys
    }
}

/// A host's mutable part, behind its mutex.
struct LiveState: Sendable {
    var snapshot: PluginSnapshot
    /// Each file's identity when it was last looked at: a rescan reads only files whose identity differs.
    var seen: [String: DescriptorCache.Key]
    var scanning = false
    var shutDown = false
    /// The initialization of each deferred plugin file begun so far (by path): its first task call starts it,
    /// later ones wait for the same.
    var initializing: [String: Task<PluginRecord.Status, Never>] = [:]
}
