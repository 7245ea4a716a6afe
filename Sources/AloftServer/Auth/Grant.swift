import AloftEngine

/// What the request's bearer token allows: its projects and its role. Every handler asks it before it reads
/// or changes anything of a project. Another project's things are "not found", not "forbidden": a token
/// does not learn what exists outside its projects. An all-projects token's projects are the store's at the
/// time of the request, so a project created after the token is covered too.
struct Grant: Sendable {
    let tokenID: String
    let projects: Set<String>
    let role: TokenRole
    let allProjects: Bool

    init(_ token: TokenRecord, registry: any Registry) throws {
        tokenID = token.id
        allProjects = token.coversAllProjects
        projects = allProjects ? Set(try registry.projects().map(\.id)) : Set(token.projects)
        role = token.role
    }

    func covers(_ project: String) -> Bool { allProjects || projects.contains(project) }

    /// For a project the request names itself (a launch, a list filter): 403 when it is not the token's.
    func require(project: String, role needed: TokenRole = .viewer) throws {
        guard covers(project) else {
            throw APIError.forbidden(
                "this token is not for project \"\(project)\"; it covers: \(projects.sorted().joined(separator: ", "))")
        }
        try require(role: needed)
    }

    func require(role needed: TokenRole) throws {
        guard role >= needed else {
            throw APIError.forbidden("this needs a \(needed.rawValue) token; this token is a \(role.rawValue)")
        }
    }
}
