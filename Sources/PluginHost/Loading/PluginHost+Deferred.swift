import Logging
import Synchronization

extension PluginHost {
    /// The id of the plugin that serves `taskType` now, whether initialized or deferred to its first task call
    /// (what a cache hit records without calling it); otherwise why none does.
    public func servingPluginID(forTaskType taskType: String) -> Result<String, RoutingError> {
        let snapshot = snapshot
        if let id = snapshot.router.pluginID(for: taskType), snapshot.catalog.deferredRecord(id: id) != nil {
            return .success(id)
        }
        return plugin(forTaskType: taskType).map(\.id)
    }

    /// The plugin that serves `taskType`, initialized first when this command deferred its initialization
    /// (`start(deferring:)`): mapped and initialized as at start-up, on a loader thread within the init budget,
    /// once for all callers; a refusal then becomes the plugin's record, and the answer names it.
    public func initializedPlugin(forTaskType taskType: String) async -> Result<any TaskPlugin, RoutingError> {
        let snapshot = snapshot
        guard let id = snapshot.router.pluginID(for: taskType), let deferred = snapshot.catalog.deferredRecord(id: id)
        else { return plugin(forTaskType: taskType) }
        let initialization = live.withLock { state -> Task<PluginRecord.Status, Never>? in
            guard !state.shutDown else { return nil }
            if let begun = state.initializing[deferred.path] { return begun }
            let begun = Task { await initialize(deferred) }
            state.initializing[deferred.path] = begun
            return begun
        }
        guard let initialization else {
            return .failure(
                RoutingError(
                    taskType: taskType, message: "plugin \(id) was not initialized: the host is shutting down"))
        }
        switch await initialization.value {
        case .loaded(let plugin): return .success(plugin)
        case .refused(let refusal):
            return .failure(
                RoutingError(
                    taskType: taskType,
                    message:
                        "task type \"\(taskType)\" is served by plugin \(id) (\(deferred.path)), refused at its first task call: \(refusal)"
                ))
        case .disabled, .notNeeded, .deferred:
            return plugin(forTaskType: taskType)
        }
    }

    /// Initializes a deferred plugin and publishes what became of it in a new snapshot; a plugin initialized
    /// after the host shut down (or after a rescan replaced its record) is shut down again, not published.
    private func initialize(_ deferred: PluginRecord) async -> PluginRecord.Status {
        let status = await PluginCatalog.initializeDeferred(
            deferred, configuration: configuration, services: services)
        let published = live.withLock { state in
            let current = state.snapshot.catalog
            guard !state.shutDown,
                let i = current.records.firstIndex(where: { $0.path == deferred.path && $0.isDeferred })
            else { return false }
            var records = current.records
            records[i].status = status
            state.snapshot = PluginSnapshot(
                catalog: PluginCatalog(records: records, problems: current.problems), configuration: configuration)
            return true
        }
        switch status {
        case .loaded(let plugin) where !published:
            plugin.shutdown()
            return .refused(.initFailed(code: "", message: "the host shut down during its initialization"))
        case .loaded(let plugin):
            services.logger.debug("plugin \(plugin.id) initialized at its first task call (\(deferred.path))")
        case .refused(let refusal):
            services.logger.warning("plugin file \(deferred.path) refused at its first task call: \(refusal)")
        case .disabled, .notNeeded, .deferred: break
        }
        return status
    }
}

extension PluginCatalog {
    /// The current record of plugin `id` when its initialization is deferred.
    func deferredRecord(id: String) -> PluginRecord? {
        records.first { $0.supersededBy == nil && $0.isDeferred && $0.descriptor?.id == id }
    }
}

extension PluginRecord {
    var isDeferred: Bool {
        if case .deferred = status { return true }
        return false
    }
}
