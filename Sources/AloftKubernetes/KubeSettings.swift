public import AloftWire
import Foundation

/// The `kubernetes` section of a plugin's config (aloft.container, aloft.spark), the same for both:
///   kubeconfig:        a kubeconfig file; default $KUBECONFIG (its first path), else ~/.kube/config
///   context:           the kubeconfig context; default its current-context
///   in_cluster:        true: the pod's service account (InClusterConfig); default: when no kubeconfig file
///                      exists and KUBERNETES_SERVICE_HOST is set
///   service_account_root: where the service account's files are (default the standard path; tests)
///   namespace:         where objects go; default the context's (or the service account's) namespace
///   service_account:   the service account the task's pods run as (default the namespace's default)
///   image_pull_secrets: names of secrets for pulling images
///   s3_endpoint, s3_region: the S3 blob store the attempt's inputs and outputs go through; default as the
///                      engine's own (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION)
public struct KubeSettings: Sendable {
    public var kubeconfig: String?
    public var context: String?
    public var inCluster: Bool?
    public var serviceAccountRoot = InClusterConfig.defaultRoot
    public var namespace: String?
    public var serviceAccount: String?
    public var imagePullSecrets: [String] = []
    public var s3Endpoint: String?
    public var s3Region: String?
    /// Where the settings were read, for errors: `plugins.config."aloft.container".kubernetes`.
    public let place: String

    public static let keys = [
        "kubeconfig", "context", "in_cluster", "service_account_root", "namespace", "service_account",
        "image_pull_secrets", "s3_endpoint", "s3_region",
    ]

    /// Reads the section; `extraKeys` are the plugin's own keys allowed beside these.
    public init(_ json: JSON?, place: String, extraKeys: [String] = []) throws(KubeConfigError) {
        self.place = place
        guard let json else { return }
        guard let members = json.objectValue else { throw KubeConfigError("\(place) must be a mapping") }
        let known = Self.keys + extraKeys
        for key in members.keys.sorted() where !known.contains(key) {
            throw KubeConfigError(
                "unknown key \"\(key)\" in \(place); expected one of \(known.joined(separator: ", "))")
        }
        func string(_ key: String) throws(KubeConfigError) -> String? {
            guard let v = members[key] else { return nil }
            guard let s = v.stringValue, !s.isEmpty else {
                throw KubeConfigError("\(place).\(key) must be a non-empty string, found \(v.kindName)")
            }
            return s
        }
        kubeconfig = try string("kubeconfig")
        context = try string("context")
        if let v = members["in_cluster"] {
            guard let b = v.boolValue else {
                throw KubeConfigError("\(place).in_cluster must be true or false, found \(v.kindName)")
            }
            inCluster = b
        }
        serviceAccountRoot = try string("service_account_root") ?? serviceAccountRoot
        namespace = try string("namespace")
        if let ns = namespace, !KubeNames.isLabel(ns) {
            throw KubeConfigError("\(place).namespace \"\(ns)\" is not a valid namespace name (DNS-1123 label)")
        }
        serviceAccount = try string("service_account")
        s3Endpoint = try string("s3_endpoint")
        s3Region = try string("s3_region")
        if let v = members["image_pull_secrets"] {
            guard let items = v.arrayValue?.compactMap(\.stringValue), items.count == v.arrayValue?.count else {
                throw KubeConfigError("\(place).image_pull_secrets must be a list of secret names")
            }
            imagePullSecrets = items
        }
    }

    /// The connection these settings name, loaded now (files are read on every call: a rotated token or
    /// kubeconfig is picked up on the next one).
    public func connection(
        environment: [String: String]? = nil
    ) throws(KubeConfigError) -> KubeConnection {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let path =
            kubeconfig
            ?? environment["KUBECONFIG"].flatMap { $0.split(separator: ":").first.map(String.init) }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.kube/config"
        let useCluster =
            inCluster
            ?? (!FileManager.default.fileExists(atPath: path) && environment["KUBERNETES_SERVICE_HOST"] != nil)
        var connection: KubeConnection
        if useCluster {
            connection = try InClusterConfig.load(root: serviceAccountRoot, environment: environment)
        } else {
            guard FileManager.default.fileExists(atPath: path) else {
                throw KubeConfigError(
                    "no Kubernetes configuration: the kubeconfig \(path) does not exist; set kubeconfig in \(place), "
                        + "$KUBECONFIG, or in_cluster: true inside a pod")
            }
            connection = try KubeConfigFile.load(path: path, context: context)
        }
        if let namespace { connection.namespace = namespace }
        return connection
    }
}
