import AloftCompiler
import AloftWire
import Testing

/// The IR an execution stores survives encoding: decoding and encoding again gives the same bytes.
@Suite struct IRJSONTests {
    @Test(arguments: Paths.files(Paths.examples, ext: ".yaml"))
    func compiledExamplesRoundTrip(path: String) throws {
        let spec = try #require(compiler.compile(files: [path]).spec)
        let bytes = spec.canonicalBytes
        let decoded = try CompiledSpec(json: JSONParser.parse(bytes))
        #expect(decoded.canonicalBytes == bytes)
        #expect(decoded.workflows.keys.sorted() == spec.workflows.keys.sorted())
        for (name, w) in spec.workflows {
            #expect(decoded.workflows[name]?.nodes.map(\.id) == w.nodes.map(\.id))
            #expect(decoded.workflows[name]?.outputs == w.outputs)
        }
    }

    /// The plan an execution stores is written straight from the IR: the same bytes as through the JSON tree, for
    /// every kind of node and binding the examples have (calls, maps, branches, sub-workflows, lists of
    /// references, literals) and for launch plans.
    @Test(
        arguments: Paths.files(Paths.examples, ext: ".yaml") + [
            Paths.repoRoot + "/examples/pima/pima.yaml", Paths.repoRoot + "/examples/hive/sales.yaml",
            Paths.repoRoot + "/examples/bigquery/sales.yaml",
        ])
    func theDirectBytesAreTheTreesBytes(path: String) throws {
        let spec = try #require(Compiler().compile(files: [path]).spec, "\(path)")
        #expect(spec.canonicalBytes == JSONWriter.encode(spec.json))
    }

    @Test func theDirectBytesOfLaunchPlansAreTheTreesBytes() throws {
        let yaml = """
            tasks:
              t: {type: echo, inputs: {x: integer, y: "map<string>"}, outputs: {x: integer}}
            workflows:
              w:
                inputs: {x: integer}
                outputs: {x: {type: integer, from: $n.x}, y: {type: integer, from: $n.x}}
                nodes: [{id: n, task: t, inputs: {x: $inputs.x, y: {a: "1", b: "2"}}}]
            launch_plans:
              every10: {workflow: w, fixed: {x: 1}, schedule: "*/10 * * * *"}
            """
        let result = Compiler().compile(text: yaml, path: "/virtual/spec.yaml")
        let spec = try #require(result.spec, "\(result.diagnostics)")
        #expect(!spec.launchPlans.isEmpty)
        #expect(spec.canonicalBytes == JSONWriter.encode(spec.json))
    }

    @Test func planKeepsOnlyWhatTheWorkflowReaches() throws {
        let spec = try #require(compiler.compile(files: [Paths.examples + "/node-kinds.yaml"]).spec)
        let plan = try #require(spec.plan(for: "weigh"))
        #expect(plan.workflows.keys.sorted() == ["weigh"])
        #expect(plan.tasks.keys.sorted() == ["score"])
        let full = try #require(spec.plan(for: "node_kinds"))
        #expect(full.workflows.keys.sorted() == ["node_kinds", "weigh"])
        #expect(full.tasks.keys.sorted() == ["score", "summarize"])
        #expect(spec.plan(for: "nope") == nil)
    }

    @Test func malformedIRNamesThePath() throws {
        let bad = try JSONParser.parse(
            #"{"version":1,"workflows":{"w":{"name":"w","nodes":[{"id":"a","call":{"inputs":{}}}]}}}"#)
        #expect(throws: WireError(path: "workflows.w.nodes[0].call", reason: "a call names a task or a workflow")) {
            try CompiledSpec(json: bad)
        }
    }
}
