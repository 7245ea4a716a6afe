/// Which plugins a command needs: those that serve one of its task types.
enum PluginDemand {
    /// Whether `descriptor`'s plugin serves a type in `needed`: it claims the type, and no route in
    /// `plugins.routes` sends the type to another plugin. A type claimed by several plugins without a
    /// route needs them all: the router reports the conflict as it would with every plugin loaded.
    static func serves(_ descriptor: PluginDescriptor, needed: Set<String>, routes: [String: String]) -> Bool {
        descriptor.taskTypes.contains { type in
            guard needed.contains(type) else { return false }
            guard let routed = routes[type] else { return true }
            return routed == descriptor.id
        }
    }
}
