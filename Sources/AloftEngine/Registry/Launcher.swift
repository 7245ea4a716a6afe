public import AloftCompiler
public import AloftWire
import FoundationEssentials

/// A registered entity made ready to run: the plan to execute and, for a launch plan, its inputs rules.
public struct Launchable: Sendable {
    public var entity: RegisteredEntity
    public var plan: CompiledSpec
    public var workflow: String
    public var launchPlan: CompiledLaunchPlan?

    /// `workflow pima@v1`, `launchplan nightly@v1`, `task train@v1`.
    public var label: String { entity.label }
    public var interface: TaskInterface { plan.workflows[workflow]!.interface }
    public var defaults: LiteralMap { plan.workflows[workflow]!.defaults }
    public var labels: [String: String] { launchPlan?.labels ?? [:] }

    /// The launch's inputs after the launch plan's defaults and fixed inputs.
    public func inputs(given: LiteralMap) throws -> LiteralMap {
        guard let launchPlan else { return given }
        switch launchPlan.inputs(given: given) {
        case .success(let m): return m
        case .failure(let f): throw RegistryError(f.message)
        }
    }
}

/// Finds registered entities by name within one project and domain (never another's: a team sees and
/// launches only its own; other teams' entities are reached by an explicit `references` entry).
public struct Launcher: Sendable {
    public let registry: any Registry

    public init(registry: any Registry) { self.registry = registry }

    /// A launch plan, workflow or task called `name` (the newest version unless `version` is given). When the
    /// name is taken by several kinds and `kind` is nil, launch plans come first, then workflows, then tasks.
    public func resolve(
        _ name: String, version: String?, kind: EntityKind?, project: String, domain: String
    ) throws -> Launchable {
        try Scope.check(registry, project: project, domain: domain)
        for k in kind.map({ [$0] }) ?? [EntityKind.launchPlan, .workflow, .task] {
            if let e = try registry.entity(k, project: project, domain: domain, name: name, version: version) {
                return try Self.launchable(e)
            }
        }
        let order: [EntityKind] = kind.map { [$0] } ?? [.launchPlan, .workflow, .task]
        let kinds = order.map(\.rawValue).joined(separator: ", ")
        if let version,
            let any = try order.lazy.compactMap({
                try registry.entity($0, project: project, domain: domain, name: name, version: nil)
            }).first
        {
            throw RegistryError(
                "\(any.kind.rawValue) \(name) has no version \(version) in \(project)/\(domain); newest: \(any.version) "
                    + "(`aloft get \(any.kind.rawValue)s \(name)` lists them)")
        }
        throw RegistryError("nothing named \"\(name)\" (\(kinds)) is registered in \(project)/\(domain)")
    }

    /// Decodes a stored entity into something that runs.
    public static func launchable(_ e: RegisteredEntity) throws -> Launchable {
        let l = try decode(e)
        guard l.plan.workflows[l.workflow] != nil else {
            throw RegistryError(
                "\(e.label) in \(e.project)/\(e.domain) is unreadable: its plan lacks workflow \(l.workflow)")
        }
        return l
    }

    private static func decode(_ e: RegisteredEntity) throws -> Launchable {
        do {
            let body = try JSONParser.parse(e.body)
            switch e.kind {
            case .task:
                let task = try CompiledTask(json: body, path: "task")
                return Launchable(entity: e, plan: .singleTask(task, named: e.name), workflow: e.name, launchPlan: nil)
            case .workflow:
                return Launchable(entity: e, plan: try CompiledSpec(json: body), workflow: e.name, launchPlan: nil)
            case .launchPlan:
                guard let lpj = body["launch_plan"], let pj = body["plan"] else {
                    throw WireError(path: "", reason: "a launch plan needs launch_plan and plan")
                }
                let lp = try CompiledLaunchPlan(json: lpj, path: "launch_plan")
                return Launchable(entity: e, plan: try CompiledSpec(json: pj), workflow: lp.workflow, launchPlan: lp)
            }
        } catch {
            throw RegistryError("\(e.label) in \(e.project)/\(e.domain) is unreadable: \(error)")
        }
    }
}

/// The registry as the compiler's reference resolver: `references` may name any project's entities, by
/// exact version.
public struct RegistryReferences: ReferenceResolver {
    public let registry: any Registry

    public init(registry: any Registry) { self.registry = registry }

    public func task(_ ref: EntityRef) -> Result<CompiledTask, ReferenceFailure> {
        lookup(.task, ref).flatMap { l in
            guard let t = l.plan.tasks[ref.name] else { return .failure(ReferenceFailure("its plan lacks the task")) }
            return .success(t)
        }
    }

    public func workflow(_ ref: EntityRef) -> Result<CompiledSpec, ReferenceFailure> {
        lookup(.workflow, ref).map(\.plan)
    }

    private func lookup(_ kind: EntityKind, _ ref: EntityRef) -> Result<Launchable, ReferenceFailure> {
        do {
            guard
                let e = try registry.entity(
                    kind, project: ref.project, domain: ref.domain, name: ref.name, version: ref.version)
            else {
                let versions = try registry.entities(kind, project: ref.project, domain: ref.domain, name: ref.name)
                    .map(\.version)
                return .failure(
                    ReferenceFailure(
                        versions.isEmpty
                            ? "no \(kind.rawValue) \(ref.name) is registered in \(ref.project)/\(ref.domain)"
                            : "no version \(ref.version); registered versions: \(versions.prefix(10).joined(separator: ", "))"
                    ))
            }
            return .success(try Launcher.launchable(e))
        } catch {
            return .failure(ReferenceFailure("\(error)"))
        }
    }
}
