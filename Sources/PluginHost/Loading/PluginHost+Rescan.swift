import Logging
import Synchronization

extension PluginHost {
    /// Looks at the plugin directories again: files that are new or whose identity changed (device, inode,
    /// size, modification time) are probed and loaded as at start-up, and a new snapshot is published, so
    /// lookups from then on route their task types. Returns the records of the files it looked at.
    ///
    /// Nothing is ever unloaded. A file of an id already served takes the id's task types only with a
    /// higher version; the older plugin stays loaded (superseded) for the calls that already hold it. A
    /// refused file is looked at again once its identity changes (a copy still in progress); a loaded
    /// file changed in place is refused (`replacedInPlace`). One scan at a time: a call while another runs
    /// returns at once, with nothing.
    @discardableResult
    public func rescan() async -> [PluginRecord] {
        let seen: [String: DescriptorCache.Key]? = live.withLock { state in
            guard !state.scanning, !state.shutDown else { return nil }
            state.scanning = true
            return state.seen
        }
        guard let seen else { return [] }
        defer { live.withLock { $0.scanning = false } }

        var changed: [(path: String, origin: PluginDirectory.Origin)] = []
        var keys: [String: DescriptorCache.Key] = [:]
        for file in PluginCatalog.files(in: sources.directories) {
            guard let key = DescriptorCache.Key(path: file.path), seen[file.path] != key else { continue }
            keys[file.path] = key
            changed.append(file)
        }
        guard !changed.isEmpty else { return [] }

        let current = snapshot.catalog
        let loadedPaths = Set(current.records.filter(\.isLoaded).map(\.path))
        var running: [String: (version: String, path: String)] = [:]
        for r in current.records where r.supersededBy == nil && (r.isLoaded || r.isNotNeeded || r.isDeferred) {
            if let d = r.descriptor { running[d.id] = (d.version, r.path) }
        }
        // The dynamic loader knows a loaded library by its path: the same path would give the old one back.
        let inPlace = changed.filter { loadedPaths.contains($0.path) }.map {
            PluginRecord(path: $0.path, origin: $0.origin, descriptor: nil, status: .refused(.replacedInPlace))
        }
        let found = await PluginCatalog.load(
            configuration: configuration, services: services,
            files: changed.filter { !loadedPaths.contains($0.path) }, probe: sources.probe, needed: sources.needed,
            descriptors: sources.descriptors, running: running)
        let looked = inPlace + found.records
        let catalog = merged(current, looked, running: running)

        let published = live.withLock { state in
            guard !state.shutDown else { return false }
            state.snapshot = PluginSnapshot(catalog: catalog, configuration: configuration)
            state.seen.merge(keys) { _, new in new }
            return true
        }
        guard published else {
            for r in found.records { if case .loaded(let plugin) = r.status { plugin.shutdown() } }
            return []
        }
        for r in looked { log(r) }
        return looked
    }

    /// `current` with the files just looked at: each replaces an earlier refusal (or other record that loaded
    /// nothing) of its path; one that serves an id already served supersedes that id's plugin.
    private func merged(
        _ current: PluginCatalog, _ looked: [PluginRecord], running: [String: (version: String, path: String)]
    ) -> PluginCatalog {
        var records = current.records
        var problems = current.problems
        for new in looked {
            records.removeAll { $0.path == new.path && !$0.isLoaded }
            guard new.isLoaded || new.isNotNeeded, let id = new.descriptor?.id else {
                records.append(new)
                continue
            }
            if let old = running[id], let i = records.firstIndex(where: { $0.path == old.path && $0.isLoaded }) {
                records[i].supersededBy = new.path
            }
            problems.removeAll { $0 == PluginCatalog.missingEnabledProblem(id) }
            records.append(new)
        }
        return PluginCatalog(records: records, problems: problems)
    }

    private func log(_ record: PluginRecord) {
        let logger = services.logger
        switch record.status {
        case .loaded(let plugin):
            logger.notice("plugin \(plugin.id) \(plugin.descriptor.version) loaded from \(record.path)")
        case .refused(let refusal):
            logger.warning("plugin file \(record.path) refused: \(refusal.description)")
        case .disabled, .notNeeded, .deferred:
            logger.info("plugin file \(record.path) found: \(record.descriptor?.id ?? "?") not initialized")
        }
    }
}

extension PluginRecord {
    var isLoaded: Bool {
        if case .loaded = status { return true }
        return false
    }

    var isNotNeeded: Bool {
        if case .notNeeded = status { return true }
        return false
    }
}
