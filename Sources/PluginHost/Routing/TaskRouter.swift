/// Answers "which plugin serves task type T" and "which types are served".
///
/// Rules: a type claimed by one enabled plugin goes to it; a type claimed by several needs a route
/// (`plugins.routes` in aloft.yaml) naming one of them, or it is a configuration error naming all of them.
/// A route must name an enabled plugin that claims the type.
public struct TaskRouter: Sendable {
    public struct Claim: Sendable, Equatable {
        public var pluginID: String
        public var path: String

        public init(pluginID: String, path: String) {
            self.pluginID = pluginID
            self.path = path
        }
    }

    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case conflict(taskType: String, claims: [Claim])
        case routeToUnknownPlugin(taskType: String, pluginID: String, where: String?)
        case routeToNonClaimingPlugin(taskType: String, pluginID: String, claims: [String], where: String?)

        public var description: String {
            switch self {
            case .conflict(let type, let claims):
                let names = claims.map { "\($0.pluginID) (\($0.path))" }
                return "task type \"\(type)\" is claimed by \(names.joined(separator: " and ")); "
                    + "choose one in aloft.yaml: plugins: {routes: {\(type): \(claims[0].pluginID)}}"
            case .routeToUnknownPlugin(let type, let id, let place):
                return (place.map { "\($0): " } ?? "")
                    + "route \(type) -> \(id): no enabled plugin has the id \"\(id)\""
            case .routeToNonClaimingPlugin(let type, let id, let claims, let place):
                return (place.map { "\($0): " } ?? "")
                    + "route \(type) -> \(id): plugin \(id) does not serve \"\(type)\" (it serves \(claims.joined(separator: ", ")))"
            }
        }
    }

    /// A plugin file that was not loaded: a task type it would have served is explained by it.
    public struct RefusedFile: Sendable, Equatable {
        public var path: String
        public var reason: String
        /// Known when the descriptor could be read before the refusal.
        public var taskTypes: [String]?

        public init(path: String, reason: String, taskTypes: [String]?) {
            self.path = path
            self.reason = reason
            self.taskTypes = taskTypes
        }
    }

    /// Task type -> plugin id, for every type that can be routed.
    public let table: [String: String]
    public let problems: [Problem]
    /// Types left unserved because of a problem, with the problem.
    private let blocked: [String: Problem]
    private let refused: [RefusedFile]

    /// - Parameters:
    ///   - plugins: the enabled, loaded plugins with the types they claim, in load order.
    ///   - routes: configured task type -> plugin id.
    ///   - locations: where each route was written (`plugins.routes.<type>` -> place), for messages.
    ///   - refused: plugin files that were not loaded, for messages about the types nobody serves.
    public init(
        plugins: [(id: String, path: String, taskTypes: [String])], refused: [RefusedFile] = [],
        routes: [String: String], locations: [String: String] = [:]
    ) {
        self.refused = refused
        var claims: [String: [Claim]] = [:]
        for p in plugins { for t in p.taskTypes { claims[t, default: []].append(Claim(pluginID: p.id, path: p.path)) } }
        var table: [String: String] = [:]
        var problems: [Problem] = []
        var blocked: [String: Problem] = [:]
        for type in routes.keys.sorted() {
            let id = routes[type]!
            let place = locations["plugins.routes.\(type)"]
            guard let plugin = plugins.first(where: { $0.id == id }) else {
                let p = Problem.routeToUnknownPlugin(taskType: type, pluginID: id, where: place)
                problems.append(p)
                blocked[type] = p
                continue
            }
            guard plugin.taskTypes.contains(type) else {
                let p = Problem.routeToNonClaimingPlugin(
                    taskType: type, pluginID: id, claims: plugin.taskTypes, where: place)
                problems.append(p)
                blocked[type] = p
                continue
            }
            table[type] = id
        }
        for type in claims.keys.sorted() where table[type] == nil && blocked[type] == nil {
            let c = claims[type]!
            if c.count == 1 {
                table[type] = c[0].pluginID
            } else {
                let p = Problem.conflict(taskType: type, claims: c)
                problems.append(p)
                blocked[type] = p
            }
        }
        self.table = table
        self.problems = problems
        self.blocked = blocked
    }

    public var servedTypes: [String] { table.keys.sorted() }

    public func pluginID(for taskType: String) -> String? { table[taskType] }

    /// Why `taskType` has no plugin, in words for the user: the compiler's "unknown task type" message.
    public func explainUnserved(_ taskType: String) -> String {
        if let problem = blocked[taskType] { return problem.description }
        let claimants = refused.filter { $0.taskTypes?.contains(taskType) ?? false }
        if !claimants.isEmpty {
            return "task type \"\(taskType)\" is served only by refused plugin files: "
                + claimants.map { "\($0.path) (\($0.reason))" }.joined(separator: "; ")
        }
        let served = servedTypes
        var message =
            "no plugin serves task type \"\(taskType)\"; served types: "
            + (served.isEmpty ? "none (no plugins loaded; see `aloft plugins list`)" : served.joined(separator: ", "))
        // A refused file whose descriptor could not be read may be the one that serves it.
        let unknown = refused.filter { $0.taskTypes == nil }
        if !unknown.isEmpty {
            message +=
                "; refused plugin files (their task types unknown): "
                + unknown.map { "\($0.path) (\($0.reason))" }.joined(separator: "; ")
        }
        return message
    }
}
