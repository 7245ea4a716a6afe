public import AloftHTTP

/// The S3 object calls Aloft needs (put, get whole or a byte range, head, list, create bucket), signed with SigV4. With an
/// endpoint override (MinIO, moto, Ceph) requests are path-style: `<endpoint>/<bucket>/<key>`; without
/// one, virtual-hosted: `https://<bucket>.s3.<region>.amazonaws.com/<key>`.
public final class S3Client: Sendable {
    public let region: String
    public let endpoint: String?
    private let signer: SigV4Signer
    private let credentials: AWSCredentials
    private let http: HTTPClient

    public init(region: String, endpoint: String?, credentials: AWSCredentials, http: HTTPClient) {
        self.region = region
        self.endpoint = endpoint?.trimmingTrailingSlashes()
        signer = SigV4Signer(region: region, service: "s3")
        self.credentials = credentials
        self.http = http
    }

    public struct Object: Sendable, Equatable {
        public let key: String
        public let size: Int
    }

    /// `s3://bucket/key` -> (bucket, key); nil for anything else.
    public static func split(_ uri: String) -> (bucket: String, key: String)? {
        guard uri.hasPrefix("s3://") else { return nil }
        let rest = uri.dropFirst("s3://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let bucket = String(rest[..<slash])
        guard !bucket.isEmpty else { return nil }
        return (bucket, slash == rest.endIndex ? "" : String(rest[rest.index(after: slash)...]))
    }

    public func url(bucket: String, key: String, query: String = "") -> String {
        let path = key.isEmpty ? "" : "/" + URIEncoding.encode(key, keepSlash: true)
        let base = endpoint.map { "\($0)/\(bucket)" } ?? "https://\(bucket).s3.\(region).amazonaws.com"
        return base + (path.isEmpty && !query.isEmpty ? "/" : path) + (query.isEmpty ? "" : "?" + query)
    }

    public func createBucket(_ bucket: String) throws(AWSError) {
        let r = try send(HTTPRequest("PUT", url(bucket: bucket, key: "")), "S3 CreateBucket \(bucket)")
        guard r.isSuccess || (r.status == 409 && XMLText.first("Code", in: r.text) == "BucketAlreadyOwnedByYou") else {
            throw AWSError(response: r, operation: "S3 CreateBucket \(bucket)", credentials: credentials)
        }
    }

    public func put(
        bucket: String, key: String, _ bytes: [UInt8], contentType: String = "application/octet-stream"
    ) throws(AWSError) {
        let what = "S3 PutObject s3://\(bucket)/\(key)"
        let r = try send(
            HTTPRequest("PUT", url(bucket: bucket, key: key), headers: [("Content-Type", contentType)], body: bytes),
            what)
        guard r.isSuccess else { throw AWSError(response: r, operation: what, credentials: credentials) }
    }

    /// The object's bytes; an AWSError with code NoSuchKey (or status 404) when it is not there.
    public func get(bucket: String, key: String) throws(AWSError) -> [UInt8] {
        let what = "S3 GetObject s3://\(bucket)/\(key)"
        let r = try send(HTTPRequest("GET", url(bucket: bucket, key: key)), what)
        guard r.isSuccess else { throw AWSError(response: r, operation: what, credentials: credentials) }
        return r.body
    }

    /// Bytes `range` of the object, one ranged GET (`Range: bytes=first-last`): what a download streams
    /// chunk by chunk instead of holding the whole object. Fewer bytes when the range passes the end.
    public func get(bucket: String, key: String, range: Range<Int>) throws(AWSError) -> [UInt8] {
        let what = "S3 GetObject s3://\(bucket)/\(key) bytes \(range.lowerBound)-\(range.upperBound - 1)"
        let request = HTTPRequest(
            "GET", url(bucket: bucket, key: key),
            headers: [("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")])
        let r = try send(request, what)
        guard r.isSuccess else { throw AWSError(response: r, operation: what, credentials: credentials) }
        return r.body
    }

    /// The object's size in bytes (HeadObject's Content-Length); nil when there is no such object.
    public func size(bucket: String, key: String) throws(AWSError) -> Int? {
        let what = "S3 HeadObject s3://\(bucket)/\(key)"
        let r = try send(HTTPRequest("HEAD", url(bucket: bucket, key: key)), what)
        if r.status == 404 { return nil }
        guard r.isSuccess, let length = r.header("Content-Length").flatMap({ Int($0) }) else {
            throw AWSError(response: r, operation: what, credentials: credentials)
        }
        return length
    }

    public func exists(bucket: String, key: String) throws(AWSError) -> Bool {
        let what = "S3 HeadObject s3://\(bucket)/\(key)"
        let r = try send(HTTPRequest("HEAD", url(bucket: bucket, key: key)), what)
        if r.status == 404 { return false }
        guard r.isSuccess else { throw AWSError(response: r, operation: what, credentials: credentials) }
        return true
    }

    /// Every object under a prefix (ListObjectsV2, following continuation tokens).
    public func list(bucket: String, prefix: String, pageSize: Int = 1000) throws(AWSError) -> [Object] {
        var objects: [Object] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("max-keys", String(pageSize))]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let token { query.append(("continuation-token", token)) }
            let text = query.sorted { $0.0 < $1.0 }.map { "\($0.0)=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
            let what = "S3 ListObjectsV2 s3://\(bucket)/\(prefix)"
            let r = try send(HTTPRequest("GET", url(bucket: bucket, key: "", query: text)), what)
            guard r.isSuccess else { throw AWSError(response: r, operation: what, credentials: credentials) }
            for contents in XMLText.all("Contents", in: r.text) {
                guard let key = XMLText.first("Key", in: contents) else { continue }
                objects.append(Object(key: key, size: Int(XMLText.first("Size", in: contents) ?? "") ?? 0))
            }
            token =
                XMLText.first("IsTruncated", in: r.text) == "true"
                ? XMLText.first("NextContinuationToken", in: r.text) : nil
        } while token != nil
        return objects
    }

    private func send(_ request: HTTPRequest, _ what: String) throws(AWSError) -> HTTPResponse {
        var request = request
        signer.sign(&request, credentials: credentials)
        do { return try http.send(request) } catch { throw AWSError(transport: error, operation: what) }
    }
}
