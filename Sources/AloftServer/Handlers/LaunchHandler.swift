import AloftCompiler
import AloftEngine
import AloftWire
import FoundationEssentials
import Hummingbird

/// `POST /api/v1/executions`: a registered launch plan, workflow or task of the token's project, with
/// plain JSON inputs checked against its interface (every wrong field named at once), run on the server's
/// engine (or queued for workers, `--workers`). Answers 201 with the new execution's id once it is stored.
struct LaunchHandler: Sendable {
    let state: ServerState

    func launch(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let body = try await JSONBody.object(
            request, fields: ["domain", "inputs", "kind", "name", "project", "version"])
        let project = try JSONBody.string(body, "project")!
        let domain = try JSONBody.string(body, "domain")!
        let name = try JSONBody.string(body, "name")!
        let version = try JSONBody.string(body, "version", required: false)
        let kind = try JSONBody.string(body, "kind", required: false).map(Self.kind)
        try grant.require(project: project, role: .launcher)
        let launchable: Launchable
        do {
            launchable = try Launcher(registry: state.store).resolve(
                name, version: version, kind: kind, project: project, domain: domain)
        } catch let e as RegistryError { throw APIError.notFound(e.message) }
        let given = try Self.inputs(body["inputs"], for: launchable)
        let id = try await start(launchable, given: given, project: project, domain: domain)
        return JSONResponse.make(
            .object(["id": .string(id), "launched": .string(launchable.label)]), status: .created)
    }

    /// Runs a launchable with checked inputs on the server's engine (the API and the console's form share it);
    /// returns the new execution's id once it is stored.
    func start(_ launchable: Launchable, given: LiteralMap, project: String, domain: String) async throws -> String {
        let inputs: LiteralMap
        do { inputs = try launchable.inputs(given: given) } catch let e as RegistryError {
            throw APIError.badRequest(e.message)
        }
        let id = ExecutionID.make()
        if let workers = state.workers {
            try workers.launch(
                launchable.plan, workflow: launchable.workflow, inputs: inputs, project: project, domain: domain,
                id: id, launchedFrom: launchable.label, labels: launchable.labels)
            return id
        }
        let engine = state.engine
        do {
            try await state.runs.start(id) {
                try await engine.run(
                    launchable.plan, workflow: launchable.workflow, inputs: inputs, project: project, domain: domain,
                    id: id, launchedFrom: launchable.label, labels: launchable.labels)
            }
        } catch let e as BackgroundRuns.StartFailure {
            throw APIError.badRequest("cannot launch \(launchable.label): \(e.description)")
        }
        return id
    }

    static func kind(_ text: String) throws -> EntityKind {
        guard let k = EntityKind(rawValue: text.lowercased().replacing("_", with: "")) else {
            throw APIError.badRequest(
                "kind \"\(text)\" is not one of launchplan, workflow, task", fields: ["kind": "unknown kind"])
        }
        return k
    }

    /// Plain JSON values (`3`, `"text"`, `[1, 2]`, a blob as its URI) read as the interface's types. Every
    /// unknown name, wrong type and missing required input is reported, each under its name.
    static func inputs(_ json: JSON?, for l: Launchable) throws -> LiteralMap {
        var members: [String: JSON] = [:]
        switch json {
        case nil, .null?: break
        case .object(let m)?: members = m
        case let other?:
            throw APIError.badRequest(
                "inputs must be an object of input names to values, not \(other.kindName)",
                fields: ["inputs": "expected an object"])
        }
        let types = l.interface.inputs
        var fields: [String: String] = [:]
        var out: LiteralMap = [:]
        for (name, value) in members {
            guard let type = types[name] else {
                fields[name] =
                    "\(l.label) has no input \"\(name)\"; inputs: \(types.keys.sorted().joined(separator: ", "))"
                continue
            }
            do { out[name] = try Literal(plain: value, as: type, path: name) } catch {
                fields[name] = error.description
            }
        }
        let provided = Set(l.launchPlan.map { Array($0.defaults.keys) + Array($0.fixed.keys) } ?? [])
        for (name, type) in types
        where out[name] == nil && fields[name] == nil && l.defaults[name] == nil && !provided.contains(name)
            && !type.acceptsNone
        {
            fields[name] = "missing (expected \(type))"
        }
        guard fields.isEmpty else {
            let list = fields.keys.sorted().map { "\($0): \(fields[$0]!)" }.joined(separator: "; ")
            throw APIError.badRequest("bad inputs for \(l.label): \(list)", fields: fields)
        }
        return out
    }
}
