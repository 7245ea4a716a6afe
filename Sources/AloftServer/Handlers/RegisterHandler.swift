import AloftCompiler
import AloftEngine
import AloftWire
import Hummingbird
import LocatedYAML

/// `POST /api/v1/projects/{project}/domains/{domain}/register` (admin): a spec's text compiled against the
/// server's plugins and registered as one version, as `aloft register` does. A spec sent over the API cannot
/// `imports:` files (they would be read from the server's disk), and its `references` reach only the token's
/// projects.
struct RegisterHandler: Sendable {
    let state: ServerState
    static let maxSpec = 512 * 1024

    func register(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let project = try context.parameter("project")
        let domain = try context.parameter("domain")
        try grant.require(project: project, role: .admin)
        let body = try await JSONBody.object(request, fields: ["spec", "version"])
        let text = try JSONBody.string(body, "spec")!
        let version = try JSONBody.string(body, "version", required: false)
        guard text.utf8.count <= Self.maxSpec else {
            throw APIError(.contentTooLarge, "the spec is larger than \(Self.maxSpec) bytes")
        }
        let file = "request.yaml"
        if case .mapping(let members, _)? = try? YAMLDocument.parse(text, file: file),
            let imports = members.first(where: { $0.key == "imports" })
        {
            throw APIError.badRequest(
                "\(imports.keyLocation): a spec registered through the API cannot import files; send one document",
                fields: ["spec": "imports are not allowed"])
        }
        let compiler = Compiler(
            resolver: PluginTaskTypeResolver(host: state.host),
            references: ScopedReferences(inner: RegistryReferences(registry: state.store), projects: grant.projects))
        let result = compiler.compile(text: text, path: file)
        guard let spec = result.spec else {
            let errors = result.diagnostics.map(\.description)
            throw APIError.badRequest(
                "the spec has \(errors.count) error\(errors.count == 1 ? "" : "s"): " + errors.joined(separator: "; "),
                fields: ["spec": errors.joined(separator: "\n")])
        }
        let report: Registrar.Report
        do {
            report = try Registrar(registry: state.store).register(
                spec, version: version, project: project, domain: domain)
        } catch let e as RegistryError {
            // A version that exists with other content is a conflict; a bad version or scope is the request's.
            throw e.message.contains("already registered with other content")
                ? APIError.conflict(e.message) : APIError.badRequest(e.message)
        }
        let entities: [JSON] = report.entities.map { entity, outcome in
            var o = RegistryHandlers.summary(entity).objectValue ?? [:]
            o["outcome"] = .string(outcome == .created ? "created" : "unchanged")
            return .object(o)
        }
        return JSONResponse.make(
            .object(["version": .string(report.version), "entities": .array(entities)]),
            status: report.entities.contains { $0.outcome == .created } ? .created : .ok)
    }
}

/// References limited to some projects: a token's spec cannot read another project's registered entities.
struct ScopedReferences: ReferenceResolver {
    let inner: any ReferenceResolver
    let projects: Set<String>

    func task(_ ref: EntityRef) -> Result<CompiledTask, ReferenceFailure> {
        guard projects.contains(ref.project) else { return .failure(refused(ref)) }
        return inner.task(ref)
    }

    func workflow(_ ref: EntityRef) -> Result<CompiledSpec, ReferenceFailure> {
        guard projects.contains(ref.project) else { return .failure(refused(ref)) }
        return inner.workflow(ref)
    }

    private func refused(_ ref: EntityRef) -> ReferenceFailure {
        ReferenceFailure("project \(ref.project) is not one this token covers")
    }
}
