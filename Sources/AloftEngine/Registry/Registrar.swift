public import AloftCompiler
import AloftSystem
import AloftTyping
import AloftWire
public import FoundationEssentials

/// Registers what a compiled spec defines (its tasks, workflows and launch plans; not what it references)
/// as one version in a project and domain. A version is immutable: registering it again with the same
/// content changes nothing, with other content is refused with a summary of what differs.
public struct Registrar: Sendable {
    public let registry: any Registry

    public init(registry: any Registry) { self.registry = registry }

    public enum Outcome: Sendable, Equatable {
        case created
        case unchanged
    }

    public struct Report: Sendable {
        public var version: String
        public var entities: [(entity: RegisteredEntity, outcome: Outcome)]
    }

    /// Checks the scope, builds every entity, refuses the whole registration when any version exists with
    /// other content, then inserts the new ones in one transaction. Without `version`, the version is a
    /// hash of the content.
    public func register(
        _ spec: CompiledSpec, version: String?, project: String, domain: String, now: Date = Date()
    ) throws -> Report {
        try Scope.check(registry, project: project, domain: domain)
        if let version, !Self.isValidVersion(version) {
            throw RegistryError("version \"\(version)\": use letters, digits and . _ - (at most 64 characters)")
        }
        let drafts = try Self.bodies(of: spec)
        guard !drafts.isEmpty else {
            throw RegistryError("the files define no task, workflow or launch plan to register")
        }
        let resolved = version ?? Self.contentVersion(drafts)
        var report = Report(version: resolved, entities: [])
        var conflicts: [String] = []
        var fresh: [RegisteredEntity] = []
        for d in drafts {
            let entity = RegisteredEntity(
                kind: d.kind, project: project, domain: domain, name: d.name, version: resolved,
                digest: d.digest, body: JSONWriter.encode(d.body), createdAt: now)
            if let existing = try registry.entity(
                d.kind, project: project, domain: domain, name: d.name, version: resolved)
            {
                if existing.digest == d.digest {
                    report.entities.append((existing, .unchanged))
                } else {
                    let old =
                        (try? JSONParser.parse(existing.body)).map { ContentDigest.comparable(d.kind, $0) } ?? .null
                    let diff = ContentDiff.lines(old, ContentDigest.comparable(d.kind, d.body))
                    conflicts.append(
                        "\(d.kind.rawValue) \(d.name)@\(resolved) is already registered with other content:\n"
                            + diff.map { "    " + $0 }.joined(separator: "\n"))
                }
            } else {
                fresh.append(entity)
                report.entities.append((entity, .created))
            }
        }
        guard conflicts.isEmpty else {
            throw RegistryError(
                "nothing registered: versions are immutable; register the change under a new --version\n  "
                    + conflicts.joined(separator: "\n  "))
        }
        try registry.insert(fresh)
        return report
    }

    static func isValidVersion(_ v: String) -> Bool {
        !v.isEmpty && v.count <= 64
            && v.unicodeScalars.allSatisfy {
                $0.isAlphanumeric || "._-".unicodeScalars.contains($0)
            }
    }

    struct Draft {
        var kind: EntityKind
        var name: String
        var body: JSON
        var digest: String
    }

    /// One body per local task, workflow and launch plan, in a stable order.
    static func bodies(of spec: CompiledSpec) throws -> [Draft] {
        var out: [Draft] = []
        func add(_ kind: EntityKind, _ name: String, _ body: JSON) {
            out.append(
                Draft(
                    kind: kind, name: name, body: body, digest: CanonicalHash.of(ContentDigest.comparable(kind, body))))
        }
        for name in spec.tasks.keys.sorted() where !spec.referencedTaskAliases.contains(name) && !name.contains("/") {
            add(.task, name, spec.tasks[name]!.json)
        }
        for name in spec.workflows.keys.sorted()
        where !spec.referencedWorkflowAliases.contains(name) && !name.contains("/") {
            guard let plan = spec.plan(for: name) else { continue }
            add(.workflow, name, plan.json)
        }
        for name in spec.launchPlans.keys.sorted() {
            let lp = spec.launchPlans[name]!
            guard let plan = spec.plan(for: lp.workflow) else {
                throw RegistryError("launch plan \(name): no workflow \(lp.workflow)")
            }
            add(.launchPlan, name, .object(["launch_plan": lp.json, "plan": plan.json]))
        }
        return out
    }

    /// A version from the content: the same files register under the same version.
    static func contentVersion(_ drafts: [Draft]) -> String {
        let lines = drafts.map { "\($0.kind.rawValue)/\($0.name):\($0.digest)" }.sorted().joined(separator: "\n")
        return String(CanonicalHash.sha256(Array(lines.utf8)).prefix(12))
    }
}

/// What counts as content: a body without the source places and file names it was compiled from (moving a
/// task within its file, or compiling from another directory name of the same files, is no change).
enum ContentDigest {
    static func comparable(_ kind: EntityKind, _ body: JSON) -> JSON {
        switch kind {
        case .task: return dropping(["location"], body)
        case .workflow: return plan(body)
        case .launchPlan:
            guard var o = body.objectValue else { return body }
            if let lp = o["launch_plan"] { o["launch_plan"] = dropping(["location"], lp) }
            if let p = o["plan"] { o["plan"] = plan(p) }
            return .object(o)
        }
    }

    private static func plan(_ j: JSON) -> JSON {
        guard var o = j.objectValue else { return j }
        o["files"] = nil
        o["tasks"] = o["tasks"]?.objectValue.map { .object($0.mapValues { dropping(["location"], $0) }) }
        o["workflows"] = o["workflows"]?.objectValue.map { ws in
            .object(
                ws.mapValues { w in
                    guard var wo = dropping(["location"], w).objectValue else { return w }
                    wo["nodes"] = wo["nodes"]?.arrayValue.map { .array($0.map { dropping(["location"], $0) }) }
                    return .object(wo)
                })
        }
        return .object(o)
    }

    private static func dropping(_ keys: Set<String>, _ j: JSON) -> JSON {
        guard let o = j.objectValue else { return j }
        return .object(o.filter { !keys.contains($0.key) })
    }
}

/// Projects and domains are checked wherever an entity or an execution is placed.
public enum Scope {
    public static func check(_ registry: any Registry, project: String, domain: String) throws {
        guard let p = try registry.project(id: project) else {
            let known = try registry.projects().map(\.id)
            throw RegistryError(
                "no project \"\(project)\" (projects: \(known.joined(separator: ", "))); create it with `aloft projects create \(project)`"
            )
        }
        guard p.domains.contains(domain) else {
            throw RegistryError(
                "project \(project) has no domain \"\(domain)\"; its domains: \(p.domains.joined(separator: ", "))")
        }
    }
}
