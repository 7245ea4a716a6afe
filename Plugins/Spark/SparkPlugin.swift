import PluginKit

// Placeholder while the plugin is being written.
public final class SparkPlugin: Plugin {
    public static let info = PluginInfo(id: "aloft.spark", version: "0.0.1", description: "not yet", taskTypes: ["spark-placeholder"])
    public init(config: JSON, host: HostServices) throws(PluginError) {}
    public func submit(_ task: TaskCall) throws(PluginError) -> [UInt8] { throw .user("not yet", code: "NotYet") }
    public func poll(_ task: TaskCall) throws(PluginError) -> PollResult { throw .user("not yet", code: "NotYet") }
    public func abort(_ task: TaskCall) throws(PluginError) {}
}

@_cdecl("aloft_plugin_entry")
public func aloftPluginEntry(_ host: UnsafePointer<aloft_host>?) -> UnsafePointer<aloft_plugin>? {
    PluginExport.entry(SparkPlugin.self, host: host)
}
