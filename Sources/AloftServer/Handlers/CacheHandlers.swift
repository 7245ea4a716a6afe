import AloftEngine
import AloftWire
import Hummingbird

/// A project's cache: its entries (which task, which inputs' hash, what outputs, who produced them), and
/// clearing them (admin), as `aloft cache list/clear` do.
struct CacheHandlers: Sendable {
    let state: ServerState
    static let maxEntries = 1000

    func list(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (project, domain, task) = try scope(request, context, role: .viewer)
        let entries = try state.reads.cacheEntries(project: project, domain: domain, task: task)
        let page = entries.prefix(Self.maxEntries).map { e in
            JSON.object([
                "key": .string(e.key), "project": .string(e.project), "domain": .string(e.domain),
                "task": .string(e.task), "cacheVersion": .string(e.cacheVersion), "inputsHash": .string(e.inputsHash),
                "outputs": e.outputs.json, "createdAt": .string(ViewTime.text(e.createdAt)),
                "producer": .object([
                    "execution": .string(e.producer.execution), "node": .string(e.producer.node),
                    "attempt": .integer(Int64(e.producer.attempt)), "taskVersion": .string(e.producer.taskVersion),
                ]),
            ])
        }
        return JSONResponse.make(
            .object(["entries": .array(Array(page)), "truncated": .bool(entries.count > Self.maxEntries)]))
    }

    /// Clears one task's entries (`?task=` is required: a whole project's cache is not cleared by accident).
    func clear(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (project, domain, task) = try scope(request, context, role: .admin)
        guard let task else {
            throw APIError.badRequest(
                "give ?task=NAME: the cache is cleared one task at a time", fields: ["task": "required"])
        }
        let removed = try state.store.clearCache(project: project, domain: domain, task: task)
        return JSONResponse.make(.object(["cleared": .integer(Int64(removed))]))
    }

    private func scope(
        _ request: Request, _ context: ServerContext, role: TokenRole
    ) throws -> (String, String?, String?) {
        let grant = try context.requireGrant()
        let project = try context.parameter("project")
        guard grant.covers(project) else { throw APIError.notFound("no project \(project)") }
        try grant.require(role: role)
        let q = request.uri.queryParameters
        func param(_ name: String) throws -> String? {
            guard let v = q.get(name) else { return nil }
            guard !v.isEmpty else {
                throw APIError.badRequest("query parameter \(name) is empty", fields: [name: "empty"])
            }
            return String(v)
        }
        return (project, try param("domain"), try param("task"))
    }
}
