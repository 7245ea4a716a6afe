import AloftEngine

/// What the request's bearer token allows: its projects and its role. Every handler asks it before it reads
/// or changes anything of a project. Another project's things are "not found", not "forbidden": a token
/// does not learn what exists outside its projects.
struct Grant: Sendable {
    let tokenID: String
    let projects: Set<String>
    let role: TokenRole

    init(_ token: TokenRecord) {
        tokenID = token.id
        projects = Set(token.projects)
        role = token.role
    }

    func covers(_ project: String) -> Bool { projects.contains(project) }

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
