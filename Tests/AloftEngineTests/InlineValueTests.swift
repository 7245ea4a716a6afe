import AloftEngine
import AloftWire
import Foundation
import PluginHost
import Testing

/// Issue 18, small values inline: a node's inputs and outputs up to EngineOptions.inlineValueLimit live in
/// its metadata row only; a larger value also gets its per-attempt file in the blob store, and lineage names
/// the output it came from either way.
@Suite(.timeLimit(.minutes(5))) struct InlineValueTests {
    static let spec = """
        tasks:
          t: {type: echo, inputs: {s: string}, outputs: {s: string}}
        workflows:
          w:
            inputs: {small: string, large: string}
            outputs: {small: {type: string, from: $small2.s}, large: {type: string, from: $large2.s}}
            nodes:
              - {id: small1, task: t, inputs: {s: $inputs.small}}
              - {id: small2, task: t, inputs: {s: $small1.s}}
              - {id: large1, task: t, inputs: {s: $inputs.large}}
              - {id: large2, task: t, inputs: {s: $large1.s}}
        """

    /// The per-attempt copies under the blob store's root, by path.
    static func copies(_ root: String) -> [String] {
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix("/inputs.json") || $0.hasSuffix("/outputs.json") }.sorted()
    }

    @Test func smallValuesLiveInTheRowAndLargeOnesAlsoInTheBlobStore() async throws {
        let h = try await CacheLineageTests.harness()
        defer { h.host.shutdown() }
        let spec = try CacheLineageTests.spec(Self.spec)
        let large = String(repeating: "0123456789", count: 10_000)  // 100 kB, over the 64 KiB limit
        let e = try await h.engine().run(
            spec, workflow: "w", inputs: ["small": .string("hi"), "large": .string(large)], project: "p",
            domain: "development")
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(e.outputs == ["small": .string("hi"), "large": .string(large)])

        // Read back from the rows, equal to what went in.
        #expect(try h.node(e, "small2")?.outputs == ["s": .string("hi")])
        #expect(try h.node(e, "small2")?.inputs == ["s": .string("hi")])
        #expect(try h.node(e, "large2")?.outputs == ["s": .string(large)])

        // Files only for the large values: each large node's inputs and outputs, none for the small ones.
        let copies = Self.copies(h.blobs.root)
        #expect(!copies.contains { $0.contains("/small") }, "\(copies)")
        #expect(copies.filter { $0.contains("/large1/") || $0.contains("/large2/") }.count == 4, "\(copies)")
        let output = try #require(copies.first { $0.contains("/large1/") && $0.hasSuffix("/outputs.json") })
        let bytes = try #require(FileManager.default.contents(atPath: h.blobs.root + "/" + output))
        #expect(try LiteralMap(bytes: Array(bytes)) == ["s": .string(large)])

        // Lineage names the output each node read, large or small.
        let (up, _) = try h.store.lineage(execution: e.id, node: "large2")
        #expect(up.map { "\($0.input)<-\($0.sourceNode).\($0.sourceOutput)" } == ["s<-large1.s"])
        let (small, _) = try h.store.lineage(execution: e.id, node: "small2")
        #expect(small.map { "\($0.input)<-\($0.sourceNode).\($0.sourceOutput)" } == ["s<-small1.s"])
    }

    @Test func aLimitOfZeroCopiesEveryValueAsBefore() async throws {
        let h = try await CacheLineageTests.harness()
        defer { h.host.shutdown() }
        let spec = try CacheLineageTests.spec(Self.spec)
        let e = try await h.engine { $0.inlineValueLimit = 0 }.run(
            spec, workflow: "w", inputs: ["small": .string("hi"), "large": .string("also small")], project: "p",
            domain: "development")
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(Self.copies(h.blobs.root).count == 8, "\(Self.copies(h.blobs.root))")
    }
}
