import AloftEngine
import AloftWire
import Hummingbird

/// `POST /api/v1/tokens` (admin): a new token for some of the calling token's own projects (an all-projects
/// token's: any project, or `*` for another all-projects token), as `aloft tokens create` makes one. The secret is in this one answer only: stored as its hash, never logged.
struct TokenHandlers: Sendable {
    let state: ServerState

    func create(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        try grant.require(role: .admin)
        let body = try await JSONBody.object(request, fields: ["projects", "role"])
        let roleName = try JSONBody.string(body, "role")!
        guard let role = TokenRole(rawValue: roleName) else {
            throw APIError.badRequest(
                "field \"role\": \(roleName) is not a role; expected viewer, launcher or admin",
                fields: ["role": "expected viewer, launcher or admin"])
        }
        guard let list = body["projects"]?.arrayValue, !list.isEmpty else {
            throw APIError.badRequest(
                "field \"projects\" must be a non-empty array of project ids",
                fields: ["projects": "expected a non-empty array of project ids"])
        }
        var projects: [String] = []
        for item in list {
            guard let p = item.stringValue, !p.isEmpty else {
                throw APIError.badRequest(
                    "field \"projects\": every item must be a non-empty project id",
                    fields: ["projects": "expected project ids"])
            }
            if p == APITokens.allProjects {
                // Another operator token: only from an operator token, and alone (it covers every project).
                guard grant.allProjects else {
                    throw APIError.forbidden("only an all-projects admin token can make an all-projects token")
                }
                guard list.count == 1 else {
                    throw APIError.badRequest(
                        "field \"projects\": \"*\" (all projects) cannot be listed with other projects",
                        fields: ["projects": "\"*\" must be alone"])
                }
            } else {
                // Only the caller's own projects: an admin of one project cannot reach another through a token.
                try grant.require(project: p, role: .admin)
                guard try state.store.project(id: p) != nil else {
                    throw APIError.badRequest("no project \(p)", fields: ["projects": "unknown project \(p)"])
                }
            }
            if !projects.contains(p) { projects.append(p) }
        }
        let (record, secret) = APITokens.make(projects: projects, role: role)
        try state.store.createToken(record)
        return JSONResponse.make(
            .object([
                "id": .string(record.id), "secret": .string(secret), "role": .string(role.rawValue),
                "projects": .array(projects.map { .string($0) }),
            ]), status: .created)
    }

    /// `GET /api/v1/tokens` (admin): the tokens the caller could have made: those of its own projects only
    /// (an all-projects token's: every token). Never a secret: only ids, roles, projects and state.
    func list(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        try grant.require(role: .admin)
        let visible = try state.reads.tokens().filter { grant.manages($0) }
        return JSONResponse.make(.object(["tokens": .array(visible.map(Self.json))]))
    }

    /// `DELETE /api/v1/tokens/{id}` (admin): revokes a token of the caller's own projects; one it could not
    /// have made is "not found", as other projects' things are.
    func revoke(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        try grant.require(role: .admin)
        let id = try context.parameter("id")
        guard let token = try state.store.tokens().first(where: { $0.id == id }), grant.manages(token) else {
            throw APIError.notFound("no token \(id)")
        }
        _ = try state.store.revokeToken(id: id)
        var o = Self.json(token).objectValue ?? [:]
        o["revoked"] = .bool(true)
        return JSONResponse.make(.object(o))
    }

    static func json(_ t: TokenRecord) -> JSON {
        .object([
            "id": .string(t.id), "role": .string(t.role.rawValue), "projects": .array(t.projects.map(JSON.string)),
            "createdAt": .string(ViewTime.text(t.createdAt)), "revoked": .bool(t.revoked),
        ])
    }
}

extension Grant {
    /// Whether this (admin) grant may see and revoke `token`: every project of the token is one of the
    /// grant's, and an all-projects token only by an all-projects grant.
    func manages(_ token: TokenRecord) -> Bool {
        allProjects || (!token.coversAllProjects && token.projects.allSatisfy(covers))
    }
}
