import AloftAWS
import AloftCompiler
import AloftEngine
import AloftHTTP
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The S3 blob store against a real moto_server that checks every signature: the BlobStore contract, and an
/// execution whose node inputs and outputs are written to S3.
@Suite(.timeLimit(.minutes(5))) struct S3BlobStoreTests {
    static func store() throws -> (S3BlobStore, S3Client) {
        let moto = try MotoPeer.require()
        let (client, bucket) = try moto.newBucket("aloft-blobs")
        return (try S3BlobStore(root: "s3://\(bucket)/runs", client: client), client)
    }

    @Test func putGetExistsAndRefusals() throws {
        let (blobs, _) = try Self.store()
        #expect(blobs.rootURI.hasSuffix("/runs/"))
        let uri = try blobs.uri("p/development/e1/a/0/outputs.json")
        try blobs.put(Array("{\"x\": 1}".utf8), at: uri)
        #expect(try blobs.get(uri) == Array("{\"x\": 1}".utf8))
        #expect(blobs.exists(uri))
        #expect(!blobs.exists(try blobs.uri("p/development/e1/a/0/none.json")))
        #expect(throws: BlobStoreError.notFound(try blobs.uri("missing"))) { try blobs.get(try blobs.uri("missing")) }
        #expect(throws: BlobStoreError.self) { try blobs.put([1], at: "s3://another-bucket/runs/x") }
        #expect(throws: BlobStoreError.self) { try blobs.uri("../escape") }
    }

    /// The server's downloads read an S3 blob in ranges: its size, then pieces; a missing one is notFound.
    @Test func sizeAndRangedReads() throws {
        let (blobs, _) = try Self.store()
        let uri = try blobs.uri("p/development/e1/a/0/data.bin")
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try blobs.put(bytes, at: uri)
        #expect(try blobs.size(uri) == 5000)
        #expect(try blobs.read(uri, range: 4096..<8192) == Array(bytes[4096...]))
        let missing = try blobs.uri("p/none.bin")
        #expect(throws: BlobStoreError.notFound(missing)) { try blobs.size(missing) }
        #expect(throws: BlobStoreError.self) { try blobs.size("s3://another-bucket/runs/x") }
    }

    @Test func anExecutionKeepsItsNodeInputsAndOutputsOnS3() async throws {
        let (blobs, client) = try Self.store()
        let host = try await Fixtures.host(directory: Fixtures.directory(["c-echo": "libc_echo.so"]))
        defer { host.shutdown() }
        let dir = NSTemporaryDirectory() + "aloft-s3-engine-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SQLiteMetadataStore(path: dir + "/metadata.sqlite")
        // Every value copied, however small (by default a small one lives only in its node's row).
        var options = EngineOptions(minPollInterval: .milliseconds(1))
        options.inlineValueLimit = 0
        let engine = ExecutionEngine(host: host, store: store, blobs: blobs, options: options)
        let spec = try #require(
            Compiler(resolver: AnyTaskType()).compile(
                text: """
                    tasks:
                      t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
                    workflows:
                      w:
                        inputs: {x: integer}
                        outputs: {x: {type: integer, from: $b.x}}
                        nodes: [{id: a, task: t, inputs: {x: $inputs.x}}, {id: b, task: t, inputs: {x: $a.x}}]
                    """, path: "/virtual/spec.yaml"
            ).spec)
        let e = try await engine.run(
            spec, workflow: "w", inputs: ["x": .integer(42)], project: "p", domain: "development",
            id: ExecutionID.make())
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let keys = try client.list(bucket: blobs.bucket, prefix: "runs").map(\.key)
        #expect(keys.contains("runs/p/development/\(e.id)/a/0/outputs.json"))
        #expect(keys.contains("runs/p/development/\(e.id)/b/0/inputs.json"))
        let outputs = try blobs.get("s3://\(blobs.bucket)/runs/p/development/\(e.id)/b/0/outputs.json")
        #expect(String(decoding: outputs, as: UTF8.self).contains("42"))
    }
}
