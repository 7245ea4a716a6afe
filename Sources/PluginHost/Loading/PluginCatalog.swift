import AloftSystem
public import AloftWire
import FoundationEssentials
import Glibc
import Logging

/// What became of one plugin file.
public struct PluginRecord: Sendable {
    public enum Status: Sendable {
        case loaded(any TaskPlugin)
        /// Valid, but not in `plugins.enabled`: never initialized.
        case disabled
        /// Enabled, but serving none of the task types this command needs: not initialized (and, when its
        /// descriptor was cached, not even mapped). The router still knows its task types.
        case notNeeded
        /// Needed, but only by task types this command may never call (those of cached tasks): initialized at
        /// its first task call (`PluginHost.initializedPlugin(forTaskType:)`), not mapped before. Its descriptor,
        /// and that it checks no task declarations, are known from the DescriptorCache.
        case deferred
        case refused(PluginRefusal)
    }

    public var path: String
    public var origin: PluginDirectory.Origin
    /// Present once the descriptor was read.
    public var descriptor: PluginDescriptor?
    public var status: Status
    /// A loaded plugin whose id a higher version found by a rescan took over (that file's path): calls already
    /// holding it finish on it, new lookups go to the newer one. Never unloaded.
    public var supersededBy: String? = nil

    public var refusal: PluginRefusal? {
        if case .refused(let r) = status { return r }
        return nil
    }
}

/// Every plugin file found, loaded or refused, with the reason. One bad file never stops the others.
public struct PluginCatalog: Sendable {
    public var records: [PluginRecord]
    /// Problems with the configuration that concern no single file (an enabled id that was not found).
    public var problems: [String]

    public var loaded: [any TaskPlugin] {
        records.compactMap { if case .loaded(let p) = $0.status { return p } else { return nil } }
    }

    /// The plugin serving `id` now: not one a newer version superseded.
    public func plugin(id: String) -> (any TaskPlugin)? {
        records.lazy.compactMap { r -> (any TaskPlugin)? in
            guard r.supersededBy == nil, case .loaded(let p) = r.status, p.id == id else { return nil }
            return p
        }.first
    }

    /// The files that serve task types: loaded, or left uninitialized because this command needs none of
    /// their types. What the router routes by.
    public var serving: [(id: String, path: String, taskTypes: [String])] {
        records.compactMap { r in
            guard r.supersededBy == nil else { return nil }
            switch r.status {
            case .loaded(let p): return (p.id, p.path, p.descriptor.taskTypes)
            case .notNeeded, .deferred: return r.descriptor.map { ($0.id, r.path, $0.taskTypes) }
            case .disabled, .refused: return nil
            }
        }
    }

    /// Finds, opens, checks and initializes every plugin the configuration reaches (with `needed`, only those
    /// serving one of those task types: see the other `load`).
    public static func load(
        configuration: HostConfiguration, services: HostServices,
        directories: [PluginDirectory], probe: PluginProbe? = nil,
        needed: Set<String>? = nil, deferring: Set<String> = [], descriptors: DescriptorCache? = nil
    ) async -> PluginCatalog {
        await load(
            configuration: configuration, services: services, files: files(in: directories), probe: probe,
            needed: needed, deferring: deferring, descriptors: descriptors)
    }

    /// The plugin files of these directories, in order.
    static func files(in directories: [PluginDirectory]) -> [(path: String, origin: PluginDirectory.Origin)] {
        var seenDirectories = Set<String>()
        var files: [(path: String, origin: PluginDirectory.Origin)] = []
        for directory in directories {
            // A directory listed twice holds the same files: look at it once.
            guard seenDirectories.insert(PathString.resolvingSymlinks(directory.path)).inserted else {
                continue
            }
            files += PluginSearchPath.files(in: directory).map { ($0, directory.origin) }
        }
        return files
    }

    static func missingEnabledProblem(_ id: String) -> String {
        "plugins.enabled names \"\(id)\", but no plugin with that id was found"
    }

    /// Opens, checks and initializes these files, in order. `fallbackConfig` is handed to init for plugins
    /// the configuration has no section for. With `probe`, a file that is not a built-in plugin is loaded
    /// in a child process first and refused if it crashes, hangs or exits there.
    ///
    /// With `needed`, a plugin that serves none of those task types (as routed by `plugins.routes`) is not
    /// initialized (`notNeeded`); its descriptor comes from the probe or from `descriptors` when that knows
    /// the file's identity, so such a file is not even mapped. Every file is still listed, checked for the
    /// same file, a duplicate id or `plugins.enabled`, and known to the router.
    ///
    /// With `deferring` (a subset of `needed`), a plugin serving only those of the needed types is `deferred`
    /// when `descriptors` knows its descriptor and that it checks no tasks: initialized at its first task call.
    ///
    /// `running` (a rescan's): the ids a host already serves, with their version and file; a file of one of
    /// those ids is refused before init unless its version is higher.
    public static func load(
        configuration: HostConfiguration, services: HostServices,
        files: [(path: String, origin: PluginDirectory.Origin)],
        fallbackConfig: JSON = .object([:]), probe: PluginProbe? = nil,
        needed: Set<String>? = nil, deferring: Set<String> = [], descriptors: DescriptorCache? = nil,
        running: [String: (version: String, path: String)] = [:]
    ) async -> PluginCatalog {
        // Started at the first file to map: a start whose every descriptor is cached maps none.
        var loader: PluginThreadPool?
        defer { loader?.shutdown() }
        var records: [PluginRecord] = []
        var seenFiles: [FileIdentity: String] = [:]
        var seenIDs: [String: String] = [:]
        let options = configuration.callOptions
        // What each probed file did in its probe: a refusal, or its descriptor when it passed.
        let probed: [String: (refusal: PluginRefusal?, descriptor: PluginDescriptor?)]
        if let probe {
            let request = ProbeRequest(
                initBudget: options.initBudget, pluginConfig: configuration.pluginConfig,
                fallbackConfig: fallbackConfig, enabled: configuration.enabled)
            let candidates = files.filter { $0.origin != .builtin && $0.origin != .installed }.map(\.path)
            probed = await probeAll(candidates, probe: probe, request: request, services: services)
        } else {
            probed = [:]
        }
        let isolate = { (id: String) in configuration.isolation(for: id).mode == .process }
        let wanted = { (d: PluginDescriptor) in
            needed.map { PluginDemand.serves(d, needed: $0, routes: configuration.routes) } ?? true
        }
        /// Whether a wanted, in-process plugin may wait for its first task call: every needed type it serves is
        /// deferrable, and it is known not to check tasks (compiling asks nothing of it).
        let deferrable = { (d: PluginDescriptor, key: DescriptorCache.Key?) in
            guard let needed, !deferring.isEmpty, let key, descriptors?.checksTasks(for: key) == false else {
                return false
            }
            return d.taskTypes.filter(needed.contains).allSatisfy(deferring.contains)
        }
        // What to add to the descriptor cache: descriptors read by dlopen, and whether initialized plugins check
        // tasks.
        var learned: [DescriptorCache.Key: (descriptor: PluginDescriptor, checksTasks: Bool?)] = [:]
        /// A file's status decided by its descriptor alone (a duplicate id, not enabled, not needed), or nil.
        func admit(_ descriptor: PluginDescriptor, _ path: String) -> PluginRecord.Status? {
            if let old = running[descriptor.id], !PluginVersion.isNewer(descriptor.version, than: old.version) {
                return .refused(
                    .notNewer(
                        id: descriptor.id, version: descriptor.version, loadedVersion: old.version,
                        loadedFrom: old.path))
            }
            if let first = seenIDs[descriptor.id] {
                return .refused(.duplicateID(id: descriptor.id, loadedFrom: first))
            }
            seenIDs[descriptor.id] = path
            if let enabled = configuration.enabled, !enabled.contains(descriptor.id) { return .disabled }
            if !wanted(descriptor) {
                services.logger.debug(
                    "plugin \(descriptor.id) (\(path)) not initialized: this command needs none of its task types")
                return .notNeeded
            }
            return nil
        }
        func startIsolated(_ path: String, _ id: String) async -> PluginRecord.Status {
            guard let runner = probe?.runner else {
                return .refused(
                    .runnerFailed("isolation: process needs \(PluginProbe.runnerName), and no runner is configured"))
            }
            let started = await IsolatedPlugin.start(
                path: path, runner: runner, settings: configuration.isolation(for: id), options: options,
                config: configuration.pluginConfig[id] ?? fallbackConfig, services: services)
            switch started {
            case .success(let plugin): return .loaded(plugin)
            case .failure(let refusal): return .refused(refusal)
            }
        }

        do {
            for (path, origin) in files {
                var record = PluginRecord(path: path, origin: origin, descriptor: nil, status: .disabled)
                if let identity = FileIdentity(path: path) {
                    if let first = seenFiles[identity] {
                        record.status = .refused(.sameFile(as: first))
                        records.append(record)
                        continue
                    }
                    seenFiles[identity] = path
                }
                if let (refusal, descriptor) = probed[path], let refusal {
                    record.descriptor = descriptor
                    record.status = .refused(refusal)
                    records.append(record)
                    continue
                }
                // A plugin that runs isolated is never loaded into the host when its probe told its id; one
                // this command does not need is not mapped when its descriptor is known without it.
                let cacheKey = descriptors.flatMap { _ in DescriptorCache.Key(path: path) }
                let known = probed[path]?.descriptor ?? cacheKey.flatMap { descriptors?.descriptor(for: $0) }
                if let descriptor = known,
                    isolate(descriptor.id) || !wanted(descriptor) || deferrable(descriptor, cacheKey)
                {
                    record.descriptor = descriptor
                    if let status = admit(descriptor, path) {
                        record.status = status
                    } else if isolate(descriptor.id) {
                        record.status = await startIsolated(path, descriptor.id)
                    } else {
                        services.logger.debug(
                            "plugin \(descriptor.id) (\(path)) deferred: initialized at its first task call")
                        record.status = .deferred
                    }
                    records.append(record)
                    continue
                }
                if loader == nil { loader = PluginThreadPool(name: "loader", width: 1) }
                let opened = await open(path, on: loader!, options: options, services: services)
                guard case .success(let library) = opened else {
                    if case .failure(let refusal) = opened { record.status = .refused(refusal) }
                    records.append(record)
                    continue
                }
                let descriptor = library.descriptor
                record.descriptor = descriptor
                if let cacheKey, known == nil { learned[cacheKey] = (descriptor, nil) }
                if let status = admit(descriptor, path) {
                    record.status = status
                    records.append(record)
                    continue
                }
                if isolate(descriptor.id) {
                    // Not probed (a built-in): mapped here to read its id, but initialized only in its runners.
                    record.status = await startIsolated(path, descriptor.id)
                } else {
                    record.status = await initialize(
                        library, configuration: configuration, services: services,
                        config: configuration.pluginConfig[descriptor.id] ?? fallbackConfig)
                    if let cacheKey, case .loaded(let plugin) = record.status,
                        descriptors?.checksTasks(for: cacheKey) == nil
                    {
                        learned[cacheKey] = (descriptor, plugin.checksTasks)
                    }
                }
                records.append(record)
            }
        }
        descriptors?.record(learned.map { ($0.key, $0.value.descriptor, $0.value.checksTasks) })
        var problems: [String] = []
        for id in configuration.enabled ?? [] where seenIDs[id] == nil {
            problems.append(missingEnabledProblem(id))
        }
        return PluginCatalog(records: records, problems: problems)
    }

    /// Probes the files a few at a time: new files that hang cost one init budget together, not one each.
    /// Built-in plugins ship with aloft and are not probed.
    private static func probeAll(
        _ paths: [String], probe: PluginProbe, request: ProbeRequest,
        services: HostServices
    ) async -> [String: (refusal: PluginRefusal?, descriptor: PluginDescriptor?)] {
        let width = 4
        return await withTaskGroup(of: (String, (refusal: PluginRefusal?, descriptor: PluginDescriptor?)).self) {
            group in
            var results: [String: (refusal: PluginRefusal?, descriptor: PluginDescriptor?)] = [:]
            var next = paths.makeIterator()
            func add(_ path: String) {
                group.addTask { (path, await probed(path, probe: probe, request: request, services: services)) }
            }
            for _ in 0..<width { if let path = next.next() { add(path) } }
            for await (path, result) in group {
                results[path] = result
                if let path = next.next() { add(path) }
            }
            return results
        }
    }

    /// Why `path` must not be loaded into this process, if it must not, and what it is when the probe got
    /// that far. The ELF checks come first: they only read the file and say more than a crash would.
    private static func probed(
        _ path: String, probe: PluginProbe, request: ProbeRequest,
        services: HostServices
    ) async -> (refusal: PluginRefusal?, descriptor: PluginDescriptor?) {
        do { try PluginLibrary.checkELF(path) } catch { return (error, nil) }
        let verdict = await probe.check(path: path, request: request)
        switch verdict.failure {
        case nil: return (nil, verdict.descriptor)
        case .unprobed(let why)?:
            // A missing runner is an installation problem, not the file's: load it as before probing existed.
            services.logger.warning("plugin file \(path) is loaded without a probe: \(why)")
            return (nil, nil)
        case let failure?: return (.probeFailed(failure), verdict.descriptor)
        }
    }

    /// Maps a plugin file and reads its descriptor, on the loader's thread within the init budget.
    private static func open(
        _ path: String, on loader: PluginThreadPool, options: PluginCallOptions, services: HostServices
    ) async -> Result<PluginLibrary, PluginRefusal> {
        do {
            return try await loader.run(lane: nil, budget: options.initBudget) {
                Result { () throws(PluginRefusal) in try PluginLibrary.open(path: path, services: services) }
            }
        } catch {
            return .failure(.entryOverran(seconds: options.initBudget.secondsValue))
        }
    }

    /// What a `deferred` record becomes at its plugin's first task call: its file mapped and initialized as
    /// at start-up, or the refusal. A file that no longer holds the deferred plugin's id and version (replaced
    /// since start-up) is refused.
    static func initializeDeferred(
        _ record: PluginRecord, configuration: HostConfiguration, services: HostServices
    ) async -> PluginRecord.Status {
        let loader = PluginThreadPool(name: "loader", width: 1)
        defer { loader.shutdown() }
        switch await open(record.path, on: loader, options: configuration.callOptions, services: services) {
        case .failure(let refusal): return .refused(refusal)
        case .success(let library):
            let (found, expected) = (library.descriptor, record.descriptor)
            guard found.id == expected?.id, found.version == expected?.version else {
                return .refused(
                    .changedBeforeInit(
                        expected: expected.map { "\($0.id) \($0.version)" } ?? "?",
                        found: "\(found.id) \(found.version)"))
            }
            return await initialize(
                library, configuration: configuration, services: services,
                config: configuration.pluginConfig[found.id] ?? .object([:]))
        }
    }

    private static func initialize(
        _ library: PluginLibrary, configuration: HostConfiguration,
        services: HostServices, config: JSON
    ) async -> PluginRecord.Status {
        let options = configuration.callOptions
        let pool = PluginThreadPool(name: library.descriptor.id, width: options.threads)
        let configBytes = JSONWriter.encode(config)
        let raw = library.raw
        let outcome: InitOutcome
        do {
            outcome = try await pool.run(lane: nil, budget: options.initBudget) {
                InitOutcome.call(raw, config: configBytes)
            }
        } catch {
            pool.shutdown()
            return .refused(.initOverran(seconds: options.initBudget.secondsValue))
        }
        switch outcome {
        case .failed(let code, let message):
            pool.shutdown()
            return .refused(.initFailed(code: code, message: services.redactor.redact(message)))
        case .ready(let instance):
            return .loaded(
                LoadedPlugin(
                    library: library, instance: instance.value, extensions: instance.extensions, pool: pool,
                    options: options, services: services))
        }
    }
}

/// (device, inode): the same file reached through two paths or a symlink.
struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
