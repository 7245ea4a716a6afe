public import AloftWire
import FoundationEssentials
public import Logging

/// Checks one plugin file on its own, as `aloft plugins inspect` does: whatever its name, with no other
/// plugin loaded. Without `initialize` the plugin is opened and its descriptor validated, nothing more.
public enum PluginInspector {
    public static func inspect(path: String, initialize: Bool, pluginConfig: JSON, logger: Logger) async -> PluginRecord
    {
        var configuration = HostConfiguration()
        configuration.enabled = initialize ? nil : []
        let catalog = await PluginCatalog.load(
            configuration: configuration, services: HostServices(logger: logger), files: [(path, .config)],
            fallbackConfig: pluginConfig, probe: .standard(environment: ProcessInfo.processInfo.environment))
        for plugin in catalog.loaded { plugin.shutdown() }
        return catalog.records[0]
    }
}
