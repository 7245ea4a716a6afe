import AloftCompiler
import AloftWire
import Foundation
import Testing

@Suite struct GoodSpecTests {
    @Test(arguments: Paths.files(Paths.examples, ext: ".yaml"))
    func everyExampleCompiles(path: String) {
        let result = compiler.compile(files: [path])
        #expect(result.diagnostics.map(\.description) == [])
        #expect(result.spec != nil)
    }

    func compile(_ text: String) throws -> CompiledSpec {
        let result = compiler.compile(text: text, path: "/virtual/spec.yaml")
        #expect(result.diagnostics.map(\.description) == [])
        return try #require(result.spec)
    }

    @Test func containerMountsResolveAgainstTheSpecDirectory() throws {
        struct Container: TaskTypeResolver {
            func serves(_ t: String) -> Bool { t == "container" }
            func explainUnserved(_ t: String) -> String { "only container" }
        }
        let result = Compiler(resolver: Container()).compile(
            text: """
                tasks:
                  t:
                    type: container
                    container:
                      command: [sh]
                      network: host
                      mounts: ["{{spec_dir}}/tasks", "data:/data", "/abs:/in:rw"]
                """, path: "/virtual/dir/spec.yaml")
        #expect(result.diagnostics.map(\.description) == [])
        let container: JSON = try #require(result.spec?.tasks["t"]?.template.extra["container"])
        #expect(
            container["mounts"]
                == JSON.array([
                    .string("/virtual/dir/tasks"), .string("/virtual/dir/data:/data"), .string("/abs:/in:rw"),
                ]))
        #expect(container["network"] == JSON.string("host"))
    }

    @Test func chainIsOrderedAndBound() throws {
        let spec = try #require(compiler.compile(files: [Paths.examples + "/hello.yaml"]).spec)
        let w = try #require(spec.workflows["hello"])
        #expect(w.nodes.map(\.id) == ["first", "second"])
        #expect(w.nodes[1].upstream == ["first"])
        guard case .call(let call) = w.nodes[1].kind else {
            Issue.record("not a call")
            return
        }
        #expect(call.target == .task("greet"))
        #expect(call.inputs == ["message": .nodeOutput(node: "first", output: "message")])
        #expect(w.outputs == ["greeting": .nodeOutput(node: "second", output: "message")])
        #expect(w.defaults == ["name": .string("world")])
        #expect(spec.files.count == 2)  // hello.yaml and its import
    }

    @Test func mapBranchAndSubworkflowNodes() throws {
        let spec = try #require(compiler.compile(files: [Paths.examples + "/node-kinds.yaml"]).spec)
        let w = try #require(spec.workflows["node_kinds"])
        let byID = Dictionary(uniqueKeysWithValues: w.nodes.map { ($0.id, $0) })
        // map outputs are lists of the task's outputs
        #expect(byID["scores"]?.outputs == ["value": .list(.float)])
        guard case .map(let m)? = byID["scores"]?.kind else {
            Issue.record("not a map")
            return
        }
        #expect(m.overInput == "value")
        #expect(m.over == .workflowInput("values"))
        #expect(m.concurrency == 4)
        // branch outputs are what every calling case produces
        #expect(byID["decide"]?.outputs == ["value": .float])
        #expect(byID["decide"]?.upstream == ["weighed"])
        guard case .branch(let cases)? = byID["decide"]?.kind else {
            Issue.record("not a branch")
            return
        }
        #expect(cases.count == 3)
        #expect(cases[2].condition == nil)
        // a list of references is a list binding; $$ is a literal dollar
        guard case .call(let summary)? = byID["summary"]?.kind else {
            Issue.record("not a call")
            return
        }
        #expect(
            summary.inputs["values"]
                == .list([
                    .nodeOutput(node: "weighed", output: "value"), .nodeOutput(node: "decide", output: "value"),
                    .literal(.float(3)),
                ]))
        #expect(summary.inputs["label"] == .literal(.string("$literal-dollar")))
        // topological order: every node after what it reads
        let position = Dictionary(uniqueKeysWithValues: w.nodes.enumerated().map { ($1.id, $0) })
        for n in w.nodes { for u in n.upstream { #expect(position[u]! < position[n.id]!) } }
    }

    @Test func unversionedTasksAreVersionedByContent() throws {
        let a = try compile("tasks:\n  t: {type: echo, inputs: {x: integer}}\n")
        let b = try compile("tasks:\n  t:\n    inputs: {x: integer}\n    type: echo\n")
        let c = try compile("tasks:\n  t: {type: echo, inputs: {x: float}}\n")
        let v = a.tasks["t"]!.template.version
        #expect(v.count == 16)
        #expect(b.tasks["t"]!.template.version == v)  // same content, other layout
        #expect(c.tasks["t"]!.template.version != v)
        #expect(try compile("tasks:\n  t: {type: echo, version: v7}\n").tasks["t"]!.template.version == "v7")
    }

    @Test func taskTemplateCarriesContainerResourcesAndPolicy() throws {
        let spec = try compile(
            """
            tasks:
              train:
                type: echo
                inputs: {epochs: {type: integer, default: 10}, data: blob<csv>}
                outputs: {model: blob}
                container:
                  image: localhost/aloft-pima:1
                  command: [python3, train.py]
                  args: ["--epochs={{inputs.epochs}}", "{{input_file}}", "{{output_dir}}"]
                  env: {SEED: 7}
                resources: {cpu: 2, memory: 512Mi}
                retries: 3
                timeout: 1h30m
                cache: {version: "2", serialize: true, ignore: [epochs]}
                interruptible: true
                secrets: [token]
            """)
        let t = try #require(spec.tasks["train"])
        #expect(t.defaults == ["epochs": .integer(10)])
        #expect(t.retries == 3)
        #expect(t.timeout == .seconds(5400))
        #expect(t.cache == CachePolicy(version: "2", serialize: true, ignoredInputs: ["epochs"]))
        #expect(t.template.secrets == ["token"])
        #expect(t.template.extra["resources"] == .object(["cpu": .float(2), "memory_bytes": .integer(536_870_912)]))
        #expect(t.template.extra["container"]?["env"] == .object(["SEED": .string("7")]))
        #expect(t.template.extra["timeout"] == .string("5400s"))
        #expect(t.interface.inputs["data"] == .blob(BlobType(format: "csv")))
    }

    @Test func intoOptionalAndUnionAndSubsetEnums() throws {
        let spec = try compile(
            """
            tasks:
              produce: {type: echo, outputs: {n: integer, m: "enum{a, b}", f: blob<csv>}}
              consume:
                type: echo
                inputs: {n: optional<integer>, u: "union<string, integer>", m: "enum{a, b, c}", f: blob}
            workflows:
              w:
                nodes:
                  - {id: p, task: produce}
                  - {id: c, task: consume, inputs: {n: $p.n, u: $p.n, m: $p.m, f: $p.f}}
            """)
        #expect(spec.workflows["w"]?.nodes.count == 2)
    }

    @Test func fixesFromTheDocumentationReview() throws {
        let spec = try compile(
            """
            tasks:
              t:
                type: echo
                version: 3
                inputs: {l: list<string>, m: map<string>, x: float}
                outputs: {l: list<string>}
                resources: {memory: 1000000}
                container: {command: [run], env: {RATIO: 0.5}}
            workflows:
              w:
                nodes:
                  - id: a
                    branch:
                      - if: "1.5 > 1e-3"
                        then: {task: t, inputs: {l: ["$$inlist"], m: {k: "$$inmap"}, x: 1}}
            """)
        let t = try #require(spec.tasks["t"])
        #expect(t.template.version == "3")
        #expect(t.template.extra["resources"]?["memory_bytes"] == .integer(1_000_000))
        #expect(t.template.extra["container"]?["env"]?["RATIO"] == .string("0.5"))
        guard case .branch(let cases)? = spec.workflows["w"]?.nodes.first?.kind, case .call(let call) = cases[0].body
        else {
            Issue.record("not a branch")
            return
        }
        #expect(call.inputs["l"] == .literal(.list([.string("$inlist")])))
        #expect(call.inputs["m"] == .literal(.map(["k": .string("$inmap")])))
    }

    @Test func defaultVersionsChangeWithDefaultsAndCachePolicy() throws {
        let base =
            "tasks:\n  t: {type: echo, inputs: {x: {type: integer, default: 1}}, outputs: {x: integer}, cache: {version: \"1\"}}\n"
        let v = try compile(base).tasks["t"]!.template.version
        #expect(
            try compile(base.replacingOccurrences(of: "default: 1", with: "default: 2")).tasks["t"]!.template.version
                != v)
        #expect(
            try compile(base.replacingOccurrences(of: "version: \"1\"", with: "version: \"2\"")).tasks["t"]!.template
                .version != v)
    }
}
