public import AloftAWS
import AloftHTTP
import Foundation

extension MotoPeer.Running {
    /// An S3 client signing with the moto server's credentials (SigV4 is checked there).
    public func s3Client() -> S3Client {
        S3Client(
            region: region, endpoint: endpoint,
            credentials: AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: Array(secretAccessKey.utf8)),
            http: HTTPClient())
    }

    /// A client and a bucket of its own, `PREFIX-` and eight random characters, created on the server.
    public func newBucket(_ prefix: String) throws -> (S3Client, bucket: String) {
        let client = s3Client()
        let bucket = "\(prefix)-\(UUID().uuidString.lowercased().prefix(8))"
        try client.createBucket(bucket)
        return (client, bucket)
    }
}
