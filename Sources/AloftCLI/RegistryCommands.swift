import AloftCommandLine
import AloftCompiler
import AloftEngine
import AloftWire
import ArgumentParser
import FoundationEssentials

/// What the registry commands share.
enum RegistryCLI {
    static func checkScope(_ registry: any Registry, project: String, domain: String) throws {
        do { try Scope.check(registry, project: project, domain: domain) } catch let e as RegistryError {
            throw CLIError(e.message)
        }
    }

    static func date(_ d: Date) -> String { d.ISO8601Format() }
}

/// `--project` and `--domain`, for commands that place or look up entities.
struct ScopeOptions: ParsableArguments {
    @Option(help: "Project.") var project = "default"
    @Option(help: "Domain.") var domain = "development"
}

struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Compile spec files and store their tasks, workflows and launch plans as one immutable version.",
        discussion: """
            The same name and version with the same content is a no-op; with other content it is refused, saying \
            what differs. Without --version the version is a hash of the content.
            """)

    @Argument(help: "Spec files.") var files: [String]
    @Option(help: "The version (letters, digits, . _ -); default: a hash of the content.") var version: String?
    @OptionGroup var scope: ScopeOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var host: HostOptions

    func run() async throws {
        let store = try storeOptions.openMetadata()
        try RegistryCLI.checkScope(store, project: scope.project, domain: scope.domain)
        let spec = try await SpecCompilation.compile(files, host: host, references: RegistryReferences(registry: store))
        let report: Registrar.Report
        do {
            report = try Registrar(registry: store).register(
                spec, version: version, project: scope.project, domain: scope.domain)
        } catch let e as RegistryError {
            throw CLIError(e.message)
        }
        let created = report.entities.filter { $0.outcome == .created }.count
        print(
            "\(scope.project)/\(scope.domain) version \(report.version): \(created) registered, \(report.entities.count - created) unchanged"
        )
        for (e, outcome) in report.entities {
            print("  \(outcome == .created ? "registered" : "unchanged ") \(e.kind.rawValue) \(e.name)@\(e.version)")
        }
    }
}

struct ProjectsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projects", abstract: "Create and list projects (each with its domains).",
        subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a project.")
        @Argument(help: "The project's id (letters, digits, - and _).") var id: String
        @Option(help: "A description.") var description = ""
        @Option(name: .customLong("domain"), help: "A domain (repeatable; default: development, staging, production).")
        var domains: [String] = []
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let record: ProjectRecord
            do { record = try ProjectRecord.validated(id: id, description: description, domains: domains) } catch {
                throw CLIError(error.message)
            }
            let store = try storeOptions.openMetadata()
            do { try store.createProject(record) } catch let e
                as RegistryError
            {
                throw CLIError(e.message)
            }
            print("project \(id) created; domains: \(record.domains.joined(separator: ", "))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List projects.")
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let rows = try storeOptions.openMetadata().projects().map {
                [$0.id, $0.domains.joined(separator: ","), $0.description]
            }
            print(PluginReport.table([["PROJECT", "DOMAINS", "DESCRIPTION"]] + rows), terminator: "")
        }
    }
}

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show registered tasks, workflows or launch plans of a project and domain.",
        discussion:
            "Without NAME: every name with its newest version. With NAME: its versions. With --version too: that version."
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case tasks, workflows, launchplans
        var entityKind: EntityKind { self == .tasks ? .task : self == .workflows ? .workflow : .launchPlan }
    }

    @Argument(help: "tasks, workflows or launchplans.") var kind: Kind
    @Argument(help: "A name.") var name: String?
    @Option(help: "One version (with NAME).") var version: String?
    @OptionGroup var scope: ScopeOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try storeOptions.openMetadata()
        try RegistryCLI.checkScope(store, project: scope.project, domain: scope.domain)
        let k = kind.entityKind
        guard let name else {
            if version != nil { throw CLIError("--version needs a NAME") }
            var newest: [String: (RegisteredEntity, Int)] = [:]
            for e in try store.entities(k, project: scope.project, domain: scope.domain, name: nil) {
                if let seen = newest[e.name] { newest[e.name] = (seen.0, seen.1 + 1) } else { newest[e.name] = (e, 1) }
            }
            let rows = newest.keys.sorted().map { n in
                let (e, count) = newest[n]!
                return [n, e.version, String(count), RegistryCLI.date(e.createdAt)]
                    + (k == .launchPlan ? [Self.schedule(e)] : [])
            }
            print(
                PluginReport.table(
                    [["NAME", "NEWEST VERSION", "VERSIONS", "REGISTERED"] + (k == .launchPlan ? ["SCHEDULE"] : [])]
                        + rows),
                terminator: "")
            return
        }
        let versions = try store.entities(k, project: scope.project, domain: scope.domain, name: name)
        guard !versions.isEmpty else {
            throw CLIError("no \(k.rawValue) \(name) is registered in \(scope.project)/\(scope.domain)")
        }
        guard let version else {
            print(
                PluginReport.table(
                    [["VERSION", "DIGEST", "REGISTERED"]]
                        + versions.map { [$0.version, String($0.digest.prefix(12)), RegistryCLI.date($0.createdAt)] }),
                terminator: "")
            return
        }
        guard let e = versions.first(where: { $0.version == version }) else {
            throw CLIError(
                "\(k.rawValue) \(name) has no version \(version); versions: \(versions.map(\.version).joined(separator: ", "))"
            )
        }
        try Self.show(e, store: store)
    }

    static func schedule(_ e: RegisteredEntity) -> String {
        (try? Launcher.launchable(e))?.launchPlan?.schedule?.expression ?? "-"
    }

    static func show(_ e: RegisteredEntity, store: any MetadataStore) throws {
        let l: Launchable
        do { l = try Launcher.launchable(e) } catch let err as RegistryError { throw CLIError(err.message) }
        print(
            "\(e.kind.rawValue) \(e.name)@\(e.version)  \(e.project)/\(e.domain)  registered \(RegistryCLI.date(e.createdAt))  digest \(e.digest.prefix(12))"
        )
        print("inputs:  \(GraphRenderer.signature(l.interface.inputs, defaults: l.defaults))")
        print("outputs: \(GraphRenderer.signature(l.interface.outputs))")
        switch e.kind {
        case .task:
            let t = l.plan.tasks[e.name]!
            print(
                "type:    \(t.template.type)" + (t.cache.map { ", cached v\($0.version)" } ?? "")
                    + (t.retries > 0 ? ", \(t.retries) retries" : ""))
        case .workflow:
            let w = l.plan.workflows[e.name]!
            print("nodes:   \(w.nodes.map { "\($0.id) (\($0.kindName))" }.joined(separator: ", "))")
        case .launchPlan:
            let lp = l.launchPlan!
            print("workflow: \(lp.workflow)")
            if !lp.defaults.isEmpty {
                print(
                    "defaults: "
                        + lp.defaults.keys.sorted().map { "\($0) = \(GraphRenderer.plain(lp.defaults[$0]!))" }.joined(
                            separator: ", "))
            }
            if !lp.fixed.isEmpty {
                print(
                    "fixed:    "
                        + lp.fixed.keys.sorted().map { "\($0) = \(GraphRenderer.plain(lp.fixed[$0]!))" }.joined(
                            separator: ", "))
            }
            if !lp.labels.isEmpty {
                print("labels:   " + lp.labels.keys.sorted().map { "\($0)=\(lp.labels[$0]!)" }.joined(separator: ", "))
            }
            if let s = lp.schedule {
                print("schedule: \(s) (UTC); next: \(s.nextFire(after: Date()).map(RegistryCLI.date) ?? "never")")
                let fires = try store.fires(project: e.project, domain: e.domain, launchPlan: e.name, limit: 10)
                for f in fires {
                    print(
                        "  \(RegistryCLI.date(f.fireTime))  \(f.outcome.rawValue)"
                            + (f.executionID.map { "  \($0)" } ?? "")
                            + (f.version == e.version ? "" : "  (version \(f.version))"))
                }
            }
        }
    }
}
