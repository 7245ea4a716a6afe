import AloftCompiler
import AloftEngine
import AloftWire
import Foundation
import Testing

/// The registry: immutable versions, content-hash versions, projects and domains as scopes, references to
/// other teams' entities, launch plans, and re-launches that hit the cache.
@Suite struct RegistryTests {
    static let spec = """
        tasks:
          square:
            type: echo
            inputs: {x: integer}
            outputs: {x: integer}
            cache: {version: "1"}
          label:
            type: echo
            inputs: {message: {type: string, default: hi}}
            outputs: {message: string}
        workflows:
          w:
            inputs: {x: {type: integer, default: 2}, message: string}
            outputs: {x: {type: integer, from: $s.x}, message: {type: string, from: $l.message}}
            nodes:
              - {id: s, task: square, inputs: {x: $inputs.x}}
              - {id: l, task: label, inputs: {message: $inputs.message}}
        launch_plans:
          nightly:
            workflow: w
            defaults: {message: night}
            fixed: {x: 5}
            labels: {team: ml}
        """

    func compile(_ yaml: String, _ registry: (any Registry)? = nil) throws -> CompiledSpec {
        let r = Compiler(references: registry.map { RegistryReferences(registry: $0) } ?? NoRegistry()).compile(
            text: yaml, path: "/virtual/spec.yaml")
        return try #require(r.spec, "\(r.diagnostics)")
    }

    func diagnostics(_ yaml: String, _ registry: any Registry) -> [String] {
        Compiler(references: RegistryReferences(registry: registry)).compile(text: yaml, path: "/virtual/spec.yaml")
            .diagnostics.map(\.description)
    }

    @Test(arguments: StoreKind.all) func aVersionIsImmutableAndTheSameContentIsANoOp(kind: StoreKind) throws {
        let h = try Self.store(kind)
        let registrar = Registrar(registry: h)
        let first = try registrar.register(
            try compile(Self.spec), version: "v1", project: "default", domain: "development")
        #expect(first.entities.map(\.outcome) == Array(repeating: .created, count: 4))
        #expect(
            Set(first.entities.map(\.entity.label)) == [
                "task square@v1", "task label@v1", "workflow w@v1", "launchplan nightly@v1",
            ])
        // Moving text around (other source places) is no change.
        let again = try registrar.register(
            try compile("\n\n" + Self.spec), version: "v1", project: "default", domain: "development")
        #expect(again.entities.map(\.outcome) == Array(repeating: .unchanged, count: 4))

        let changed = Self.spec.replacingOccurrences(of: "default: hi", with: "default: hello")
            .replacingOccurrences(of: "tasks:\n", with: "tasks:\n  extra: {type: echo, outputs: {y: integer}}\n")
        #expect {
            try registrar.register(try compile(changed), version: "v1", project: "default", domain: "development")
        } throws: { error in
            let m = "\(error)"
            return m.contains("nothing registered: versions are immutable")
                && m.contains(
                    "task label@v1 is already registered with other content:\n    defaults.message.string: \"hi\" -> \"hello\""
                )
                && m.contains(
                    "workflow w@v1 is already registered with other content:\n    tasks.label.defaults.message.string")
                && m.contains("launchplan nightly@v1 is already registered with other content")
                && !m.contains("task square@v1")
        }
        // All or nothing: the new task of the refused registration was not stored either.
        #expect(try h.entity(.task, project: "default", domain: "development", name: "extra", version: nil) == nil)
        let v2 = try registrar.register(try compile(changed), version: "v2", project: "default", domain: "development")
        #expect(v2.entities.count == 5)
        #expect(
            try h.entity(.task, project: "default", domain: "development", name: "label", version: nil)?.version == "v2"
        )
        #expect(
            try h.entities(.task, project: "default", domain: "development", name: "label").map(\.version) == [
                "v2", "v1",
            ])
    }

    @Test(arguments: StoreKind.all) func withoutAVersionTheVersionIsAHashOfTheContent(kind: StoreKind) throws {
        let h = try Self.store(kind)
        let registrar = Registrar(registry: h)
        let a = try registrar.register(try compile(Self.spec), version: nil, project: "default", domain: "development")
        let b = try registrar.register(try compile(Self.spec), version: nil, project: "default", domain: "development")
        let c = try registrar.register(
            try compile(Self.spec.replacingOccurrences(of: "team: ml", with: "team: data")), version: nil,
            project: "default", domain: "development")
        #expect(a.version.count == 12)
        #expect(a.version == b.version)
        #expect(b.entities.allSatisfy { $0.outcome == .unchanged })
        #expect(c.version != a.version)
        #expect {
            try registrar.register(
                try compile(Self.spec), version: "bad version!", project: "default", domain: "development")
        } throws: { "\($0)".contains("version \"bad version!\": use letters, digits and . _ -") }
    }

    @Test(arguments: StoreKind.all) func aProjectSeesAndLaunchesOnlyItsOwnEntities(kind: StoreKind) throws {
        let h = try Self.store(kind)
        try h.createProject(ProjectRecord(id: "a"))
        try h.createProject(ProjectRecord(id: "b", domains: ["dev", "prod"]))
        #expect(throws: RegistryError.self) { try h.createProject(ProjectRecord(id: "a")) }
        _ = try Registrar(registry: h).register(try compile(Self.spec), version: "v1", project: "b", domain: "prod")
        let launcher = Launcher(registry: h)
        #expect(
            try launcher.resolve("w", version: nil, kind: nil, project: "b", domain: "prod").label == "workflow w@v1")
        #expect(try h.entities(.workflow, project: "a", domain: "development", name: nil).isEmpty)
        #expect(try h.entities(.workflow, project: "b", domain: "dev", name: nil).isEmpty)
        #expect {
            try launcher.resolve("w", version: nil, kind: nil, project: "a", domain: "development")
        } throws: { "\($0)" == "nothing named \"w\" (launchplan, workflow, task) is registered in a/development" }
        #expect {
            try launcher.resolve("w", version: "v9", kind: nil, project: "b", domain: "prod")
        } throws: { "\($0)".contains("workflow w has no version v9 in b/prod; newest: v1") }
        #expect {
            try Registrar(registry: h).register(
                try compile(Self.spec), version: "v1", project: "nobody", domain: "development")
        } throws: {
            "\($0)".contains(
                "no project \"nobody\" (projects: a, b, default); create it with `aloft projects create nobody`")
        }
        #expect {
            try launcher.resolve("w", version: nil, kind: nil, project: "b", domain: "development")
        } throws: { "\($0)" == "project b has no domain \"development\"; its domains: dev, prod" }
    }

    @Test(arguments: StoreKind.all) func aSpecCallsAnotherTeamsTaskAndWorkflowByNameAndVersion(kind: StoreKind) throws {
        let h = try dataTeam(registered: "1.0", kind)
        let mine = """
            references:
              tasks: {sq: data/production/square@1.0}
              workflows: {theirs: data/production/w@1.0}
            workflows:
              mine:
                inputs: {x: integer}
                outputs: {y: {type: integer, from: $t.x}}
                nodes:
                  - {id: s, task: sq, inputs: {x: $inputs.x}}
                  - {id: t, workflow: theirs, inputs: {x: $s.x, message: m}}
            """
        let spec = try compile(mine, h)
        #expect(spec.referencedTaskAliases == ["sq"] && spec.referencedWorkflowAliases == ["theirs"])
        #expect(spec.tasks["sq"]?.name == "data/production/square")
        #expect(spec.workflows["theirs"] != nil)
        #expect(spec.tasks["data/production/w@1.0/square"]?.name == "data/production/w/square")
        // Only what the spec defines is registered; what it references stays the other team's.
        let report = try Registrar(registry: h).register(spec, version: "1", project: "default", domain: "development")
        #expect(report.entities.map(\.entity.label) == ["workflow mine@1"])

        let wrong = mine.replacingOccurrences(of: "square@1.0", with: "square@2.0").replacingOccurrences(
            of: "data/production/w@", with: "data/staging/w@")
        #expect(
            diagnostics(wrong, h) == [
                "/virtual/spec.yaml:2:15: error: reference \"sq\" (task data/production/square@2.0): no version 2.0; registered versions: 1.0",
                "/virtual/spec.yaml:3:23: error: reference \"theirs\" (workflow data/staging/w@1.0): no workflow w is registered in data/staging",
            ])
        #expect(
            diagnostics(mine.replacingOccurrences(of: "square@1.0", with: "square"), h) == [
                "/virtual/spec.yaml:2:15: error: reference \"sq\": \"data/production/square\" is not PROJECT/DOMAIN/NAME@VERSION (the version is required)",
                "/virtual/spec.yaml:9:23: error: unknown task \"sq\"; defined tasks: none",
            ])
        // A referenced workflow's interface types the bindings to it.
        let mistyped = diagnostics(mine.replacingOccurrences(of: "message: m", with: "message: 3"), h)
        #expect(
            mistyped.count == 1 && mistyped[0].hasPrefix("/virtual/spec.yaml:10:") && mistyped[0].contains("message"),
            "\(mistyped)")
    }

    @Test(arguments: StoreKind.all) func anAliasClashesOnlyWithItsOwnKindAndOnlyLocalEntitiesAreRegistered(
        kind: StoreKind
    ) throws {
        let h = try dataTeam(registered: "1", kind)
        // A task alias and a local workflow of the same name: both fine, and the workflow is registered.
        let mine = """
            references:
              tasks: {square: data/production/square@1}
            workflows:
              square:
                inputs: {x: integer}
                outputs: {x: {type: integer, from: $s.x}}
                nodes: [{id: s, task: square, inputs: {x: $inputs.x}}]
            """
        let report = try Registrar(registry: h).register(
            try compile(mine, h), version: "1", project: "default", domain: "development")
        #expect(report.entities.map(\.entity.label) == ["workflow square@1"])
        // A local task with a task alias's name clashes, whichever file defines it.
        let dir = NSTemporaryDirectory() + "aloft-alias-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "imports: [lib.yaml]\nreferences:\n  tasks: {label: data/production/label@1}\n".write(
            toFile: dir + "/main.yaml", atomically: true, encoding: .utf8)
        try "tasks:\n  label: {type: echo, outputs: {m: string}}\n".write(
            toFile: dir + "/lib.yaml", atomically: true, encoding: .utf8)
        let d = Compiler(references: RegistryReferences(registry: h)).compile(files: [dir + "/main.yaml"]).diagnostics
            .map(\.description)
        #expect(d == ["\(dir)/lib.yaml:2:3: error: task \"label\" is already defined at \(dir)/main.yaml:3:11"], "\(d)")
    }

    @Test(arguments: StoreKind.all) func launchPlansCheckTheirInputsAndSchedules(kind: StoreKind) throws {
        let h = try Self.store(kind)
        let spec = try compile(Self.spec)
        let lp = try #require(spec.launchPlans["nightly"])
        #expect(lp.labels == ["team": "ml"])
        #expect(
            try lp.inputs(given: ["message": .string("day")]).get() == ["message": .string("day"), "x": .integer(5)])
        #expect(throws: ReferenceFailure.self) { try lp.inputs(given: ["x": .integer(1)]).get() }
        let bad = Self.spec.replacingOccurrences(of: "fixed: {x: 5}", with: "fixed: {x: five, nope: 1, message: m}")
            .replacingOccurrences(of: "labels: {team: ml}", with: "schedule: \"61 * * * *\"")
        let d = Compiler().compile(text: bad, path: "/virtual/spec.yaml").diagnostics.map(\.description)
        #expect(
            d.contains { $0.contains("fixed input \"x\" of launch plan \"nightly\": expected a value of type integer") }
        )
        #expect(
            d.contains {
                $0.contains(
                    "fixed input \"nope\" of launch plan \"nightly\" is not an input of workflow w; inputs: message, x")
            })
        #expect(
            d.contains {
                $0.contains("input \"message\" of launch plan \"nightly\" is both a default and fixed; keep one")
            })
        #expect(d.contains { $0.contains("schedule of launch plan \"nightly\": minute field \"61\"") })
        // Nobody gives inputs to a scheduled launch: every required one needs a value in the plan.
        let unattended = Self.spec.replacingOccurrences(of: "defaults: {message: night}", with: "schedule: \"@daily\"")
        #expect(
            Compiler().compile(text: unattended, path: "/virtual/spec.yaml").diagnostics.map(\.description).contains {
                $0.contains(
                    "launch plan \"nightly\" runs on schedule \"@daily\" but leaves required input message without a value"
                )
            })
        _ = h
    }

    /// A store where project "data" registered `spec` in production: the other team of the reference tests.
    func dataTeam(registered version: String, _ kind: StoreKind) throws -> any MetadataStore {
        let h = try Self.store(kind)
        try h.createProject(ProjectRecord(id: "data"))
        _ = try Registrar(registry: h).register(
            try compile(Self.spec), version: version, project: "data", domain: "production")
        return h
    }

    static func store(_ kind: StoreKind = .sqlite) throws -> any MetadataStore {
        try kind.store("registry")
    }
}
