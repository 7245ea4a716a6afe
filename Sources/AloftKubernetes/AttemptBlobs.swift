public import AloftAWS
import AloftHTTP
import Foundation
public import PluginKit

/// An attempt's files in the S3 blob store, for tasks that run in a cluster and share no disk with the host
/// (docs/kubernetes.md, "The pod's contract"). The layout mirrors the local contract (AloftTaskIO):
///
///     <prefix>work/pod.json       what the pod's entrypoint reads: inputs (blobs as paths in the pod) and
///                                 which objects to download to those paths, and where outputs go
///     <prefix>work/inputs.json    every input as plain JSON, blobs as s3:// URIs (Spark's {{input_file}})
///     <prefix>out/                the outputs: outputs.json, or one object (or prefix, for a dataset) per output
///
/// `prefix` is the attempt's output prefix, an `s3://bucket/key/` the engine gave the task.
public struct AttemptBlobs: Sendable {
    public let prefix: String
    public let s3: S3Client
    private let bucket: String
    private let key: String

    /// Where a pod's task sees its files (the local contract's directories, inside the container).
    public static let podRoot = "/aloft"
    public static let podInputs = podRoot + "/inputs"

    public init(prefix: String, s3: S3Client) throws(PluginError) {
        guard let (bucket, key) = S3Client.split(prefix) else {
            throw .user(
                "tasks that run on Kubernetes exchange inputs and outputs through S3, but this attempt's output "
                    + "location is \(prefix): run with an S3 blob store (aloft run --blobs s3://BUCKET/PREFIX)",
                code: "NeedsS3Blobs")
        }
        self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.s3 = s3
        self.bucket = bucket
        self.key = key.isEmpty || key.hasSuffix("/") ? key : key + "/"
    }

    public var outputURI: String { prefix + "out/" }
    public var manifestURI: String { prefix + "work/pod.json" }
    public var inputsURI: String { prefix + "work/inputs.json" }

    /// The S3 client for the blob store, as the engine's own (S3BlobStore) finds it: credentials from the
    /// host's secrets `aws_access_key_id`/`aws_secret_access_key` or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
    /// region and endpoint from the settings' s3_region and s3_endpoint, else AWS_REGION and
    /// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL.
    public static func client(
        host: HostServices, settings: KubeSettings, environment: [String: String]? = nil
    ) throws(PluginError) -> S3Client {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard
            let (credentials, _) = AWSCredentials.resolve(
                secret: { try? host.secret($0) }, environment: environment)
        else {
            throw .user(
                "no AWS credentials for the S3 blob store: grant the secrets aws_access_key_id and "
                    + "aws_secret_access_key to the plugin or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                code: "Credentials")
        }
        return S3Client(
            region: settings.s3Region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1",
            endpoint: settings.s3Endpoint ?? environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"],
            credentials: credentials,
            http: HTTPClient())
    }

    // MARK: - inputs

    /// The inputs as a pod sees them: top-level blob and dataset inputs on S3 become paths under
    /// /aloft/inputs (the entrypoint downloads them there); everything else is unchanged.
    public static func podView(_ inputs: LiteralMap) -> (inputs: LiteralMap, downloads: [JSON]) {
        var view = inputs
        var downloads: [JSON] = []
        for name in inputs.keys.sorted() {
            switch inputs[name]! {
            case .blob(var b) where b.uri.hasPrefix("s3://"):
                let path = podInputs + "/" + name
                downloads.append(.object(["uri": .string(b.uri), "path": .string(path), "directory": .bool(false)]))
                b.uri = path
                view[name] = .blob(b)
            case .dataset(var d) where d.uri.hasPrefix("s3://"):
                let path = podInputs + "/" + name
                downloads.append(.object(["uri": .string(d.uri), "path": .string(path), "directory": .bool(true)]))
                d.uri = path
                view[name] = .dataset(d)
            default: break
            }
        }
        return (view, downloads)
    }

    /// Writes work/pod.json (for a pod's entrypoint) and work/inputs.json.
    public func writeInputs(_ inputs: LiteralMap) throws(PluginError) {
        let (view, downloads) = Self.podView(inputs)
        let manifest = JSON.object([
            "inputs": .object(view.mapValues(\.plain)), "downloads": .array(downloads),
            "output_uri": .string(outputURI),
        ])
        try put("work/pod.json", JSONWriter.encode(manifest))
        try put("work/inputs.json", JSONWriter.encode(.object(inputs.mapValues(\.plain))))
    }

    // MARK: - outputs

    /// The outputs the task left under out/, checked against the interface: outputs.json (relative paths in
    /// it are taken under out/, `/aloft/out/...` paths too), else one object per output named after it.
    public func outputs(_ types: TypeMap) throws(PluginError) -> LiteralMap {
        let out = outputURI
        let resolve = { (p: String) -> String in
            if p.contains("://") { return p }
            let podOut = AttemptBlobs.podRoot + "/out/"
            return out + (p.hasPrefix(podOut) ? String(p.dropFirst(podOut.count)) : p)
        }
        var result: LiteralMap = [:]
        if let bytes = try get("out/outputs.json") {
            let json: JSON
            do { json = try JSONParser.parse(bytes) } catch {
                throw .user("\(out)outputs.json is not valid JSON: \(error)", code: "BadOutputs")
            }
            guard let members = json.objectValue else {
                throw .user("\(out)outputs.json must be a JSON object of output names", code: "BadOutputs")
            }
            for (name, type) in types {
                guard let value = members[name] else { continue }
                do { result[name] = try Literal(plain: value, as: type, path: name, resolve: resolve) } catch {
                    throw .user("output \"\(name)\": \(error.reason) (in \(out)outputs.json)", code: "BadOutputs")
                }
            }
        }
        for (name, type) in types where result[name] == nil {
            switch type {
            case .blob(let b):
                if try exists("out/" + name) { result[name] = .blob(BlobValue(uri: out + name, type: b)) }
            case .dataset(let d):
                var found = try exists("out/" + name)
                if !found { found = !(try list("out/" + name + "/").isEmpty) }
                if found {
                    result[name] = .dataset(DatasetValue(uri: out + name, format: d.format))
                }
            default:
                guard let bytes = try get("out/" + name) else { continue }
                let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                let json = (try? JSONParser.parse(text)) ?? .string(text)
                do { result[name] = try Literal(plain: json, as: type, path: name, resolve: resolve) } catch {
                    throw .user("output \"\(name)\": \(error.reason) (in \(out)\(name))", code: "BadOutputs")
                }
            }
        }
        let missing = types.keys.filter { result[$0] == nil && !Self.optional(types[$0]!) }.sorted()
        if !missing.isEmpty {
            throw .user(
                "the task did not write output\(missing.count == 1 ? "" : "s") "
                    + missing.map { "\"\($0)\"" }.joined(separator: ", ")
                    + "; write \(out)outputs.json or one object per output under \(out)", code: "MissingOutput")
        }
        return result
    }

    private static func optional(_ t: LiteralType) -> Bool {
        if case .union(let v) = t { return v.contains(.none) }
        return false
    }

    // MARK: - S3

    private func put(_ relative: String, _ bytes: [UInt8]) throws(PluginError) {
        do { try s3.put(bucket: bucket, key: key + relative, bytes, contentType: "application/json") } catch {
            throw Self.failure(error)
        }
    }

    private func get(_ relative: String) throws(PluginError) -> [UInt8]? {
        do { return try s3.get(bucket: bucket, key: key + relative) } catch {
            if error.status == 404 { return nil }
            throw Self.failure(error)
        }
    }

    private func exists(_ relative: String) throws(PluginError) -> Bool {
        do { return try s3.exists(bucket: bucket, key: key + relative) } catch { throw Self.failure(error) }
    }

    private func list(_ relative: String) throws(PluginError) -> [S3Client.Object] {
        do { return try s3.list(bucket: bucket, prefix: key + relative, pageSize: 10) } catch {
            throw Self.failure(error)
        }
    }

    private static func failure(_ error: AWSError) -> PluginError {
        .system(error.description, code: "BlobStore", retryable: error.retryable)
    }
}
