public import AloftAWS
import AloftHTTP
public import FoundationEssentials

/// The blob store on S3 (or any S3-compatible server): root `s3://bucket/prefix/`, the same layout as the
/// local store under it. Every request is signed (SigV4); credentials come from AWS_ACCESS_KEY_ID /
/// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, the region from AWS_REGION, an endpoint override from
/// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (path-style requests then).
public struct S3BlobStore: BlobStore {
    public let bucket: String
    /// No leading slash; empty or ending in `/`.
    public let prefix: String
    private let client: S3Client

    public init(root: String, client: S3Client) throws {
        guard let (bucket, key) = S3Client.split(root) else {
            throw BlobStoreError.io("\(root) is not an s3://bucket/prefix URI")
        }
        self.bucket = bucket
        var prefix = key
        while prefix.hasPrefix("/") { prefix.removeFirst() }
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        self.prefix = prefix
        self.client = client
    }

    /// From the standard AWS environment variables.
    public static func fromEnvironment(
        root: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> S3BlobStore {
        guard let (credentials, _) = AWSCredentials.resolve(secret: { _ in nil }, environment: environment) else {
            throw BlobStoreError.io("the S3 blob store \(root) needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        let endpoint = environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"]
        let client = S3Client(
            region: environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1", endpoint: endpoint,
            credentials: credentials, http: HTTPClient())
        return try S3BlobStore(root: root, client: client)
    }

    public var rootURI: String { "s3://\(bucket)/\(prefix)" }

    public func uri(_ relativePath: String) throws -> String {
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.contains("..") else { throw BlobStoreError.outsideStore(uri: relativePath, root: rootURI) }
        return rootURI + relativePath
    }

    private func key(_ uri: String) throws -> String {
        guard uri.hasPrefix(rootURI), let (_, key) = S3Client.split(uri), !key.split(separator: "/").contains("..")
        else {
            throw BlobStoreError.outsideStore(uri: uri, root: rootURI)
        }
        return key
    }

    public func put(_ bytes: [UInt8], at uri: String) throws {
        do { try client.put(bucket: bucket, key: try key(uri), bytes) } catch let error as AWSError {
            throw BlobStoreError.io(error.description)
        }
    }

    public func get(_ uri: String) throws -> [UInt8] {
        do { return try client.get(bucket: bucket, key: try key(uri)) } catch let error as AWSError {
            if error.code == .noSuchKey || error.status == 404 { throw BlobStoreError.notFound(uri) }
            throw BlobStoreError.io(error.description)
        }
    }

    /// The object's size, for a download that reads it in ranges (`read(_:range:)`).
    public func size(_ uri: String) throws -> Int {
        do {
            guard let size = try client.size(bucket: bucket, key: try key(uri)) else {
                throw BlobStoreError.notFound(uri)
            }
            return size
        } catch let error as AWSError { throw BlobStoreError.io(error.description) }
    }

    /// Bytes `range` of an object (fewer at its end).
    public func read(_ uri: String, range: Range<Int>) throws -> [UInt8] {
        do { return try client.get(bucket: bucket, key: try key(uri), range: range) } catch let error as AWSError {
            if error.code == .noSuchKey || error.status == 404 { throw BlobStoreError.notFound(uri) }
            throw BlobStoreError.io(error.description)
        }
    }

    public func exists(_ uri: String) -> Bool {
        guard let key = try? key(uri) else { return false }
        return (try? client.exists(bucket: bucket, key: key)) ?? false
    }
}
