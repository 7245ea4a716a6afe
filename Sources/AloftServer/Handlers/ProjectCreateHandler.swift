import AloftEngine
import AloftWire
import Hummingbird

/// `POST /api/v1/projects`: a new project, for an all-projects admin token only (a platform operator's, made
/// with `aloft tokens create --all-projects --role admin`). A project's own admin cannot create one: a new
/// project is outside every project token, so nobody else could use it until the operator makes it a token
/// (`POST /api/v1/tokens` with the new project, by the same operator token).
struct ProjectCreateHandler: Sendable {
    let state: ServerState

    func create(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        guard grant.allProjects else {
            throw APIError.forbidden(
                "creating a project needs an all-projects admin token (`aloft tokens create --all-projects "
                    + "--role admin`); this token covers: \(grant.projects.sorted().joined(separator: ", "))")
        }
        try grant.require(role: .admin)
        let body = try await JSONBody.object(request, fields: ["id", "description", "domains"])
        let id = try JSONBody.string(body, "id")!
        let description = try JSONBody.string(body, "description", required: false) ?? ""
        var domains: [String] = []
        if let value = body["domains"] {
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw APIError.badRequest(
                    "field \"domains\" must be an array of domain names", fields: ["domains": "expected strings"])
            }
            domains = list.compactMap(\.stringValue)
        }
        let record: ProjectRecord
        do { record = try ProjectRecord.validated(id: id, description: description, domains: domains) } catch {
            throw APIError.badRequest(error.message, fields: [error.field: error.message])
        }
        do { try state.store.createProject(record) } catch let e as RegistryError {
            throw APIError.conflict(e.message)
        }
        let created = try state.store.project(id: id) ?? record
        return JSONResponse.make(RegistryHandlers.json(created), status: .created)
    }
}
