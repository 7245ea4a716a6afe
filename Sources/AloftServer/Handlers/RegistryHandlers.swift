import AloftCompiler
import AloftEngine
import AloftWire
import Hummingbird

/// Projects and the registry: a token sees only its projects and their tasks, workflows and launch plans.
struct RegistryHandlers: Sendable {
    let state: ServerState

    func projects(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let visible = try state.reads.projects().filter { grant.covers($0.id) }
        return JSONResponse.make(.object(["projects": .array(visible.map(Self.json))]))
    }

    func project(_ request: Request, _ context: ServerContext) async throws -> Response {
        JSONResponse.make(Self.json(try project(context)))
    }

    /// `.../domains/:domain/:kind`: every entity of a kind (newest version first).
    func entities(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (p, domain, kind) = try scope(context)
        let name = context.parameters.get("name")
        let found = try state.reads.entities(kind, project: p.id, domain: domain, name: name)
        if let name, found.isEmpty {
            throw APIError.notFound("no \(kind.rawValue) \(name) is registered in \(p.id)/\(domain)")
        }
        return JSONResponse.make(.object([kindKey(kind): .array(found.map { Self.summary($0) })]))
    }

    /// `.../domains/:domain/:kind/:name/:version` (version `latest` is the newest): the entity with its
    /// interface, defaults and stored body.
    func entity(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (p, domain, kind) = try scope(context)
        let name = try context.parameter("name")
        let version = try context.parameter("version")
        guard
            let e = try state.reads.entity(
                kind, project: p.id, domain: domain, name: name, version: version == "latest" ? nil : version)
        else {
            throw APIError.notFound("no \(kind.rawValue) \(name)@\(version) is registered in \(p.id)/\(domain)")
        }
        var o = Self.summary(e).objectValue ?? [:]
        if let l = try? Launcher.launchable(e) { o["interface"] = Self.interface(l) }
        o["body"] = (try? JSONParser.parse(e.body)) ?? .null
        return JSONResponse.make(.object(o))
    }

    private func project(_ context: ServerContext) throws -> ProjectRecord {
        let grant = try context.requireGrant()
        let id = try context.parameter("project")
        guard grant.covers(id), let p = try state.reads.project(id: id) else {
            throw APIError.notFound("no project \(id)")
        }
        return p
    }

    private func scope(_ context: ServerContext) throws -> (ProjectRecord, String, EntityKind) {
        let p = try project(context)
        let domain = try context.parameter("domain")
        guard p.domains.contains(domain) else {
            throw APIError.notFound(
                "project \(p.id) has no domain \(domain); domains: \(p.domains.joined(separator: ", "))")
        }
        let kindText = try context.parameter("kind")
        guard let kind = Self.kinds[kindText] else {
            throw APIError.notFound("\"\(kindText)\" is not one of tasks, workflows, launchplans")
        }
        return (p, domain, kind)
    }

    static let kinds: [String: EntityKind] = ["tasks": .task, "workflows": .workflow, "launchplans": .launchPlan]
    private func kindKey(_ k: EntityKind) -> String { Self.kinds.first { $0.value == k }!.key }

    static func json(_ p: ProjectRecord) -> JSON {
        .object([
            "id": .string(p.id), "description": .string(p.description), "domains": .array(p.domains.map(JSON.string)),
            "createdAt": .string(ViewTime.text(p.createdAt)),
        ])
    }

    static func summary(_ e: RegisteredEntity) -> JSON {
        .object([
            "kind": .string(e.kind.rawValue), "project": .string(e.project), "domain": .string(e.domain),
            "name": .string(e.name), "version": .string(e.version), "digest": .string(e.digest),
            "createdAt": .string(ViewTime.text(e.createdAt)),
        ])
    }

    /// Each input's type, default (plain JSON) and whether a launch must give it; each output's type.
    static func interface(_ l: Launchable) -> JSON {
        let fixed = l.launchPlan?.fixed ?? [:]
        let defaults = l.defaults.merging(l.launchPlan?.defaults ?? [:]) { _, plan in plan }
        var inputs: [String: JSON] = [:]
        for (name, type) in l.interface.inputs {
            var o: [String: JSON] = ["type": .string(type.description)]
            if let d = defaults[name] { o["default"] = d.plain }
            if let f = fixed[name] { o["fixed"] = f.plain }
            o["required"] = .bool(defaults[name] == nil && fixed[name] == nil && !type.acceptsNone)
            inputs[name] = .object(o)
        }
        return .object([
            "inputs": .object(inputs),
            "outputs": .object(l.interface.outputs.mapValues { .string($0.description) }),
        ])
    }
}
