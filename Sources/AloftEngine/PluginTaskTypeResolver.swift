public import AloftCompiler
public import AloftWire
public import PluginHost

/// The compiler's view of the running host: which task types a plugin serves (the router), and what the
/// serving plugin finds wrong with a task's declaration (its "aloft.task-check/1" extension).
public struct PluginTaskTypeResolver: TaskTypeResolver {
    public let host: PluginHost

    public init(host: PluginHost) { self.host = host }

    public func serves(_ taskType: String) -> Bool { host.router.pluginID(for: taskType) != nil }

    public func explainUnserved(_ taskType: String) -> String { host.router.explainUnserved(taskType) }

    public func check(_ template: TaskTemplate) -> [(path: [JSONPathStep], message: String)] {
        guard case .success(let plugin) = host.plugin(forTaskType: template.type), plugin.checksTasks else { return [] }
        return plugin.checkTask(template: JSONWriter.encode(template.json)).map { ($0.path, $0.message) }
    }
}
