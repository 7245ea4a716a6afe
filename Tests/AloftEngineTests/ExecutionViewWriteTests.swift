import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// `ExecutionView.write(to:)` (the server's list pages and execution answers) writes exactly the bytes of
/// `JSONWriter.encode(view.json)` (the CLI's `--json`): every field present, the fewest, escapes, nodes.
@Suite struct ExecutionViewWriteTests {
    @Test func writesTheSameBytesAsTheJSONValue() throws {
        let store = try SQLiteMetadataStore(path: TemporaryDirectory.make("view-write") + "/m.sqlite")
        let record = ExecutionRecord(
            id: "ex-1", project: "p", domain: "development", workflow: "w\"q", spec: [],
            inputs: ["x": .integer(3), "s": .string("a\nb"), "l": .list([.float(1.5), .none])], phase: .succeeded,
            outputs: ["y": .map(["k": .boolean(true)])], error: "boom \\ here",
            createdAt: Date(timeIntervalSince1970: 1_800_000_000.123),
            updatedAt: Date(timeIntervalSince1970: 1_800_000_001.5), recoveredFrom: "ex-0", launchedFrom: "lp@v1",
            labels: ["team": "ml", "Z": "é"])
        var full = try ExecutionView(record, store: store, nodes: false)
        full.driver = "aloft run (pid 1 on h)"
        full.damage = "table executions, column inputs: bad"
        var sparse = try ExecutionView(
            ExecutionRecord(id: "ex-2", project: "p", domain: "d", workflow: "w", spec: [], inputs: [:]), store: store,
            nodes: false)
        sparse.status = "orphaned (no live owner)"
        var withNodes = full
        withNodes.nodes = []
        for view in [full, sparse, withNodes] {
            var w = JSONWriter()
            view.write(to: &w)
            #expect(String(decoding: w.bytes, as: UTF8.self) == JSONWriter.string(view.json))
        }
    }
}
