import AloftAWS
import AloftHTTP
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// `aloft serve --blobs s3://...` against a real moto_server: a node's blob values are downloaded through the
/// API from S3 (in ranged GETs, several for a large file), confined to the blob store's prefix.
@Suite(.timeLimit(.minutes(5))) struct ServerS3DownloadTests {
    @Test func blobDownloadsComeFromS3() throws {
        let moto = try MotoPeer.require()
        let (s3, bucket) = try moto.newBucket("aloft-serve")
        // Larger than two of the server's 1 MiB ranges.
        let big = (0..<(2 * 1024 * 1024 + 4321)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try s3.put(bucket: bucket, key: "runs/uploads/f.bin", big)
        try s3.put(bucket: bucket, key: "runs/uploads/d/sub/a.txt", Array("inner".utf8))
        try s3.put(bucket: bucket, key: "elsewhere/f.bin", [1, 2, 3])
        let s = try ServerFixture(
            projects: ["ml"], tokens: ["v": (["ml"], "launcher")], serveArguments: ["--blobs", "s3://\(bucket)/runs"],
            environment: [
                "AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey,
                "AWS_REGION": moto.region, "AWS_ENDPOINT_URL": moto.endpoint,
            ])
        defer { s.stop() }
        let root = "s3://\(bucket)/runs/uploads"
        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "files", "inputs": {"f": "\#(root)/f.bin", "d": "\#(root)/d"}}"#,
            token: "v")
        #expect(try s.waitForEnd(id, token: "v")["phase"] == .string("succeeded"), "\(s.serverLog)")
        let f = try s.call("GET", "/api/v1/executions/\(id)/nodes/k/inputs/f", token: "v")
        #expect(f.status == 200 && f.contentType == "application/octet-stream", "\(f.status) \(f.message)")
        #expect(f.body == big)
        #expect(try s.call("GET", "/api/v1/executions/\(id)/outputs/f", token: "v").body == big)
        let inner = try s.call("GET", "/api/v1/executions/\(id)/nodes/k/inputs/d?path=sub/a.txt", token: "v")
        #expect(inner.text == "inner", "\(inner.status) \(inner.text)")
        let none = try s.call("GET", "/api/v1/executions/\(id)/nodes/k/inputs/d?path=sub/none", token: "v")
        #expect(none.status == 404 && none.message.contains("no such object"), "\(none.text)")
        // The same bucket outside the store's prefix is not served.
        let outside = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "files", "inputs": {"f": "s3://\#(bucket)/elsewhere/f.bin", "d": "\#(root)/d"}}"#,
            token: "v")
        _ = try s.waitForEnd(outside, token: "v")
        let r = try s.call("GET", "/api/v1/executions/\(outside)/nodes/k/inputs/f", token: "v")
        #expect(r.status == 404 && r.message.contains("outside this server's blob store"), "\(r.text)")
        #expect(!s.serverLog.contains(moto.secretAccessKey))
    }
}
