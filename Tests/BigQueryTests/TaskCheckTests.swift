import AloftCompiler
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The plugin's compile-time check (extension aloft.task-check/1): every problem in a task's declaration,
/// with the spec's file:line, before anything runs.
@Suite(.timeLimit(.minutes(5))) struct TaskCheckTests {
    static let spec = """
        tasks:
          t:
            type: bigquery
            inputs: {day: string, model: blob, table: dataset<bigquery>}
            outputs: {rows: dataset<parquet>, n: integer}
            config:
              query: "SELECT * FROM {{inputs.day}} WHERE d = @day"
              write_disposition: WRITE_SOMETIMES
              priority: batch
              maximum_bytes_billed: lots
              labels: {Team: data}
              destination: {dataset: d}
              colour: blue
        workflows:
          w:
            inputs: {day: string, model: blob, table: dataset<bigquery>}
            nodes: [{id: a, task: t, inputs: {day: $inputs.day, model: $inputs.model, table: $inputs.table}}]
        """

    @Test func everyProblemIsReportedWithItsLine() async throws {
        let h = try await Harness.make(config: ["credentials": .string("none")])
        defer { h.host.shutdown() }
        let r = h.compile(Self.spec)
        #expect(r.spec == nil)
        let messages = r.diagnostics.map(\.description)
        func expect(line: Int, _ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
            #expect(
                messages.contains { $0.hasPrefix("/virtual/spec.yaml:\(line):") && $0.contains(text) }, "\(messages)",
                sourceLocation: sourceLocation)
        }
        expect(line: 4, "input \"model\" is a blob, which has no BigQuery query parameter type")
        expect(line: 5, "output \"rows\" is a dataset<parquet>")
        expect(line: 7, "{{inputs.day}} is a string, not a table: refer to it as @day")
        expect(
            line: 8,
            "unknown write disposition \"WRITE_SOMETIMES\"; expected one of WRITE_TRUNCATE, WRITE_APPEND, WRITE_EMPTY")
        expect(line: 10, "maximum_bytes_billed must be a positive integer")
        expect(line: 11, "label Team: data")
        expect(line: 12, "destination needs a table")
        expect(line: 13, "unknown BigQuery task field \"colour\"")
        #expect(!messages.contains { $0.contains("unknown priority") })  // case does not matter
        #expect(!messages.contains { $0.contains("\"table\"") })  // a table input is fine
    }

    @Test func aCleanTaskCompiles() async throws {
        let h = try await Harness.make(config: ["credentials": .string("none")])
        defer { h.host.shutdown() }
        let r = h.compile(EmulatorTests.pipeline("ds"))
        #expect(r.spec != nil, "\(r.diagnostics)")
    }
}
