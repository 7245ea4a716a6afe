import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import Logging
import PluginHost
import Testing

/// Issue 18: a node whose state the store refuses is stopped and reported, whatever its kind (skipped,
/// branch, map, sub-workflow, as for tasks): an error in the log, the execution fails naming it, and nothing
/// downstream runs on a state the store does not hold.
@Suite(.timeLimit(.minutes(5))) struct StoreFailureTests {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "disk I/O error (test)" }
    }

    /// SQLite, except that committing a node record whose path is in `failing` throws.
    static func failingStore(_ inner: SQLiteMetadataStore, failing: Set<String>) -> HookedStore {
        HookedStore(
            inner,
            beforeCommit: { nodes in
                if nodes.contains(where: { failing.contains($0.node) }) { throw Refused() }
            })
    }

    final class Lines: @unchecked Sendable, LogHandler {
        private let lock = NSLock()
        private var items: [String] = []
        var all: [String] { lock.withLock { items } }
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lock.withLock { items.append("\(event.level) \(event.message)") } }
    }

    static let spec = """
        tasks:
          ok: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
          oks: {type: echo, inputs: {x: list<integer>}, outputs: {x: list<integer>}}
          bad: {type: echo, inputs: {x: integer}, outputs: {x: integer}, config: {fail: user}}
        workflows:
          inner:
            inputs: {x: integer}
            outputs: {x: {type: integer, from: $i.x}}
            nodes: [{id: i, task: ok, inputs: {x: $inputs.x}}]
          w:
            inputs: {xs: {type: list<integer>, default: [1, 2]}}
            nodes:
              - {id: m, map: {task: ok, over: {x: $inputs.xs}}}
              - {id: sub, workflow: inner, inputs: {x: 3}}
              - id: br
                branch:
                  - if: "$sub.x > 0"
                    then: {task: ok, inputs: {x: 4}}
                  - else: {fail: "not positive"}
              - {id: after_m, task: oks, inputs: {x: $m.x}}
              - {id: after_sub, task: ok, inputs: {x: $sub.x}}
              - {id: after_br, task: ok, inputs: {x: $br.x}}
              - {id: failing, task: bad, inputs: {x: 6}}
              - {id: skipped, task: ok, inputs: {x: $failing.x}}
        """

    @Test(arguments: [("m", "after_m"), ("sub", "after_sub"), ("br", "after_br"), ("skipped", nil)])
    func aNodeWhoseStateCannotBeStoredIsStoppedAndReported(node: String, downstream: String?) async throws {
        let lines = Lines()
        let logger = Logger(label: "aloft-test") { _ in lines }
        let host = await Fixtures.host(directory: try Fixtures.directory(["c-echo": "libc_echo.so"]), logger: logger)
        defer { host.shutdown() }
        let root = NSTemporaryDirectory() + "aloft-store-failure-\(UUID())"
        let sqlite = try SQLiteMetadataStore(path: root + "/metadata.sqlite")
        let engine = ExecutionEngine(
            host: host, store: Self.failingStore(sqlite, failing: [node]),
            blobs: try LocalBlobStore(root: root + "/blobs"),
            options: EngineOptions(minPollInterval: .milliseconds(1)))
        let compiled = Compiler(resolver: AnyTaskType()).compile(text: Self.spec, path: "/virtual/spec.yaml")
        let spec = try #require(compiled.spec, "\(compiled.diagnostics)")
        let e = try await engine.run(spec, workflow: "w", inputs: [:], project: "p", domain: "development")

        #expect(e.phase == .failed)
        let said = "node \(node) of \(e.id): cannot persist its state: disk I/O error (test); stopping this node"
        #expect(lines.all.contains("error \(said)"), "\(lines.all)")
        let nodes = try sqlite.nodes(execution: e.id)
        #expect(!nodes.contains { $0.node == node }, "the store refused it")
        if let downstream {
            #expect(
                e.error?.contains("\(node): cannot persist its state: disk I/O error (test)") == true,
                "\(e.error ?? "")")
            // Nothing ran on the unstored result: the node downstream was skipped.
            #expect(nodes.first { $0.node == downstream }?.state.phase == .skipped)
        }
    }

    /// A cache hit's record is not waited for before the nodes after it run (its outputs are the stored cache
    /// entry's); a refused one still fails the execution, naming the node.
    @Test func aCacheHitWhoseStateCannotBeStoredFailsTheExecution() async throws {
        let host = await Fixtures.host(directory: try Fixtures.directory(["c-echo": "libc_echo.so"]))
        defer { host.shutdown() }
        let root = NSTemporaryDirectory() + "aloft-store-failure-\(UUID())"
        let sqlite = try SQLiteMetadataStore(path: root + "/metadata.sqlite")
        let blobs = try LocalBlobStore(root: root + "/blobs")
        let yaml = """
            tasks:
              t: {type: echo, inputs: {x: integer}, outputs: {x: integer}, cache: {version: "1"}}
            workflows:
              w:
                outputs: {x: {type: integer, from: $b.x}}
                nodes:
                  - {id: a, task: t, inputs: {x: 1}}
                  - {id: b, task: t, inputs: {x: $a.x}}
            """
        let spec = try #require(Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/virtual/spec.yaml").spec)
        let options = EngineOptions(minPollInterval: .milliseconds(1))
        let cold = try await ExecutionEngine(host: host, store: sqlite, blobs: blobs, options: options).run(
            spec, workflow: "w", inputs: [:], project: "p", domain: "development")
        #expect(cold.phase == .succeeded)
        let warm = try await ExecutionEngine(
            host: host, store: Self.failingStore(sqlite, failing: ["a"]), blobs: blobs, options: options
        ).run(spec, workflow: "w", inputs: [:], project: "p", domain: "development")
        #expect(warm.phase == .failed)
        #expect(
            warm.error?.contains("a: cannot persist its state: disk I/O error (test)") == true, "\(warm.error ?? "")")
        #expect(!(try sqlite.nodes(execution: warm.id)).contains { $0.node == "a" })
    }
}
