import Foundation

/// The configuration a pod gets from its service account: the token, the cluster's CA and the pod's namespace
/// under `root` (/var/run/secrets/kubernetes.io/serviceaccount), the API server from KUBERNETES_SERVICE_HOST
/// and KUBERNETES_SERVICE_PORT. `root` is a parameter so tests can point it at a directory of their own.
public enum InClusterConfig {
    public static let defaultRoot = "/var/run/secrets/kubernetes.io/serviceaccount"

    public static func load(
        root: String = defaultRoot, environment: [String: String]? = nil
    ) throws(KubeConfigError) -> KubeConnection {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw KubeConfigError(
                "in-cluster configuration needs KUBERNETES_SERVICE_HOST (set in every pod); outside a cluster, use a kubeconfig"
            )
        }
        let port = environment["KUBERNETES_SERVICE_PORT"] ?? "443"
        guard let tokenBytes = FileManager.default.contents(atPath: root + "/token") else {
            throw KubeConfigError(
                "in-cluster configuration: cannot read the service account token \(root)/token "
                    + "(is automountServiceAccountToken off?)")
        }
        let token = String(decoding: tokenBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw KubeConfigError("in-cluster configuration: \(root)/token is empty") }
        let ca = root + "/ca.crt"
        let namespace =
            (try? String(contentsOfFile: root + "/namespace", encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines) ?? "default"
        // An IPv6 service address needs brackets in a URL.
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubeConnection(
            server: "https://\(hostPart):\(port)", namespace: namespace.isEmpty ? "default" : namespace,
            caFile: FileManager.default.isReadableFile(atPath: ca) ? ca : nil, token: token,
            origin: "in-cluster service account (\(root))")
    }
}
