/// Where a Kubernetes API server is and how to prove who we are to it: what a kubeconfig context or a pod's
/// service account resolves to. Credentials are file paths or a token held in memory; `description` names
/// only the server, namespace and origin, never the token.
public struct KubeConnection: Sendable, CustomStringConvertible {
    /// `https://HOST:PORT` (or `http://` for a local test server), without a trailing slash.
    public var server: String
    /// The namespace objects go to when the caller names none.
    public var namespace: String
    /// The CA bundle (PEM file) that signed the server's certificate; nil uses the system's.
    public var caFile: String?
    /// A bearer token (kubeconfig `token`/`tokenFile`, or the service account's).
    public var token: String?
    /// A client certificate and key (PEM files), kubeconfig `client-certificate`/`client-key`.
    public var clientCertificate: String?
    public var clientKey: String?
    /// Where this came from, for errors: "kubeconfig /path (context NAME)" or "in-cluster service account".
    public var origin: String

    public init(
        server: String, namespace: String = "default", caFile: String? = nil, token: String? = nil,
        clientCertificate: String? = nil, clientKey: String? = nil, origin: String
    ) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.namespace = namespace
        self.caFile = caFile
        self.token = token
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.origin = origin
    }

    public var description: String { "Kubernetes API \(server) (namespace \(namespace), from \(origin))" }
}
