import AloftTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct CompileCLITests {
    static let examples = CLI.repoRoot + "/examples/workflows"

    @Test func compileSummarizesGoodSpecs() throws {
        let r = try CLI.run(["compile", Self.examples + "/hello.yaml"], cwd: NSTemporaryDirectory())
        #expect(r.status == 0)
        #expect(r.stdout.contains("hello.yaml: ok"))
        #expect(
            r.stdout.contains(
                "  workflow hello: 2 nodes (2 task)\n    inputs:  name: string = \"world\"\n    outputs: greeting: string\n"
            ))
    }

    @Test func compileReportsEveryErrorWithItsPlaceAndExitsOne() throws {
        let dir = NSTemporaryDirectory() + "aloft-compile-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        tasks:
          t: {type: flink, inputs: {n: integr}}
        workflows:
          w:
            nodes:
              - {id: a, task: t, inputs: {n: 1}}
              - {id: b, task: missing}
        """.write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["compile", "bad.yaml"], cwd: dir)
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(
            r.stderr == """
                bad.yaml:2:13: error: task "t": no plugin serves task type "flink"; served types: bigquery, bigquery_query_job_task, container, echo, echo-sync, hive, hive-query, noop, pyspark, raw-container, sagemaker-training, sagemaker-tuning, spark
                bad.yaml:2:32: error: unknown type "integr" (did you mean "integer"?)
                bad.yaml:7:23: error: unknown task "missing"; defined tasks: t
                3 errors

                """)
    }

    @Test func graphPrintsATreeAndWritesDOT() throws {
        let dot = NSTemporaryDirectory() + "aloft-\(UUID()).dot"
        let r = try CLI.run(
            ["graph", Self.examples + "/node-kinds.yaml", "--workflow", "node_kinds", "--dot", dot],
            cwd: NSTemporaryDirectory())
        #expect(r.status == 0)
        #expect(r.stdout.contains("workflow node_kinds  (4 nodes)"))
        #expect(r.stdout.contains("└─     summary  task summarize  ← decide, weighed"))
        let text = try String(contentsOfFile: dot, encoding: .utf8)
        #expect(text.hasPrefix("digraph \"node_kinds\" {"))
        #expect(text.contains("\"weighed\" -> \"decide\";"))
        #expect(
            text.contains("\"decide\" [label=\"decide\\nbranch: task score | workflow weigh | fail\", shape=diamond"))
        #expect(text.hasSuffix("}\n"))

        // The same rule as `aloft run` (issue 17): weigh is called by node_kinds, so node_kinds is the one to draw.
        let root = try CLI.run(["graph", Self.examples + "/node-kinds.yaml"], cwd: NSTemporaryDirectory())
        #expect(root.status == 0, "\(root.stderr)")
        #expect(root.stdout.hasPrefix("workflow node_kinds"), "\(root.stdout)")
        let dir = NSTemporaryDirectory() + "aloft-roots-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        tasks: {t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}}
        workflows:
          a: {nodes: [{id: n, task: t, inputs: {x: 1}}]}
          b: {nodes: [{id: n, task: t, inputs: {x: 2}}]}
        """.write(toFile: dir + "/two.yaml", atomically: true, encoding: .utf8)
        for command in ["graph", "run"] {
            let several = try CLI.run([command, "two.yaml"], cwd: dir)
            #expect(several.status == 1)
            #expect(
                several.stderr.contains(
                    "two.yaml has 2 workflows that no other workflow calls; choose one with --workflow (a, b)"),
                "\(several.stderr)")
        }
    }
}
