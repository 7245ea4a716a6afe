import AloftAWS
import AloftHTTP
import Foundation
import Testing

/// The signer against AWS's published Signature Version 4 test suite and documentation examples
/// (Fixtures/sigv4-vectors.json; where each came from is in its "source" field).
@Suite struct SigV4VectorTests {
    struct Vector: Sendable, CustomStringConvertible {
        let name: String
        let method: String
        let path: String
        let query: String
        let headers: [(name: String, value: String)]
        let body: String
        let normalizePath: Bool
        let canonicalRequest: String
        let stringToSign: String
        let authorization: String
        let accessKeyID: String
        let secret: String
        let region: String
        let service: String
        let amzDate: String
        var description: String { name }
    }

    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures/sigv4-vectors.json")
    nonisolated(unsafe) static let document: [String: Any] =
        try! JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]

    static func vectors(_ key: String) -> [Vector] {
        (document[key] as! [[String: Any]]).map { v in
            Vector(
                name: v["name"] as! String, method: v["method"] as! String, path: v["path"] as! String,
                query: v["query"] as! String,
                headers: (v["headers"] as! [[String]]).map { ($0[0], $0[1]) }, body: v["body"] as! String,
                normalizePath: v["normalize_path"] as? Bool ?? true,
                canonicalRequest: v["canonical_request"] as! String,
                stringToSign: v["string_to_sign"] as! String, authorization: v["authorization"] as! String,
                accessKeyID: v["access_key_id"] as? String ?? document["access_key_id"] as! String,
                secret: v["secret_access_key"] as? String ?? document["secret_access_key"] as! String,
                region: v["region"] as? String ?? document["region"] as! String,
                service: v["service"] as? String ?? document["service"] as! String,
                amzDate: v["amz_date"] as? String ?? document["amz_date"] as! String)
        }
    }

    /// The suite writes queries raw (not encoded): split on & and = only.
    static func rawQuery(_ q: String) -> [(name: String, value: String)] {
        q.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    static func check(_ v: Vector) {
        let signer = SigV4Signer(region: v.region, service: v.service)
        let payloadHash =
            v.headers.first { $0.name.lowercased() == "x-amz-content-sha256" }?.value
            ?? Digest.sha256Hex(Array(v.body.utf8))
        let creq = signer.canonicalRequest(
            method: v.method, path: v.path, query: rawQuery(v.query), headers: v.headers, payloadHash: payloadHash)
        #expect(creq == v.canonicalRequest)
        #expect(signer.stringToSign(canonicalRequest: creq, amzDate: v.amzDate) == v.stringToSign)
        let credentials = AWSCredentials(accessKeyID: v.accessKeyID, secretAccessKey: Array(v.secret.utf8))
        #expect(
            signer.authorization(
                method: v.method, path: v.path, query: rawQuery(v.query), headers: v.headers, payloadHash: payloadHash,
                credentials: credentials, amzDate: v.amzDate) == v.authorization)
    }

    @Test(arguments: vectors("vectors")) func theAWSTestSuite(_ v: Vector) { Self.check(v) }

    @Test(arguments: vectors("docs_examples")) func theDocumentationExamples(_ v: Vector) { Self.check(v) }

    @Test func derivedSigningKeys() {
        for k in Self.document["signing_keys"] as! [[String: String]] {
            let signer = SigV4Signer(region: k["region"]!, service: k["service"]!)
            #expect(
                Digest.hex(signer.signingKey(secret: Array(k["secret_access_key"]!.utf8), date: k["date"]!)) == k[
                    "k_signing"]!)
        }
    }

    @Test func signingARequestAddsTheHeadersTheServerChecks() throws {
        var request = HTTPRequest(
            "POST", "http://127.0.0.1:5000/",
            headers: [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("X-Amz-Target", "SageMaker.ListTrainingJobs"), ("User-Agent", "aloft"),
            ],
            body: Array("{}".utf8))
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: Array("secret".utf8), sessionToken: "TOKEN")
        SigV4Signer(region: "us-east-1", service: "sagemaker").sign(
            &request, credentials: credentials, now: AWSTimestamp(amzDate: "20261125T101500Z"))
        #expect(request.header("Host") == "127.0.0.1:5000")
        #expect(request.header("X-Amz-Date") == "20261125T101500Z")
        #expect(request.header("X-Amz-Security-Token") == "TOKEN")
        let authorization = try #require(request.header("Authorization"))
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/sagemaker/aws4_request, "
                    + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="))
        #expect(!authorization.contains("secret"))
        #expect("\(credentials)" == "AWS credentials for access key id AKIDEXAMPLE")
    }

    @Test func urlsAreSplitAndDecodedForSigning() throws {
        let parts = try #require(URLParts("http://127.0.0.1:80/b/a%20key/x?list-type=2&prefix=r%2Fs&flag"))
        #expect(parts.hostHeader == "127.0.0.1")
        #expect(parts.path == "/b/a key/x")
        #expect(parts.query.map { "\($0.name)=\($0.value)" } == ["list-type=2", "prefix=r/s", "flag="])
    }
}
