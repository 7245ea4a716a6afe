import AloftWire
import Foundation
import LocatedYAML

/// A kubeconfig file (`~/.kube/config`, `$KUBECONFIG`): the current (or a named) context's cluster, user and
/// namespace. Supported: `server`, `certificate-authority`/`-data`, `insecure-skip-tls-verify` is refused,
/// `token`/`tokenFile`, `client-certificate`/`-data` with `client-key`/`-data`. Exec and auth-provider
/// plugins are not supported (a clear error says so). Relative paths are taken from the file's directory.
public enum KubeConfigFile {
    public static func load(path: String, context wanted: String? = nil) throws(KubeConfigError) -> KubeConnection {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError("cannot read the kubeconfig \(path): no such file or not readable")
        }
        let root: LocatedValue?
        do { root = try YAMLDocument.parse(String(decoding: data, as: UTF8.self), file: path) } catch {
            throw KubeConfigError("the kubeconfig \(error.description)")
        }
        guard let doc = root?.json, doc.objectValue != nil else {
            throw KubeConfigError("the kubeconfig \(path) is empty or not a mapping")
        }
        let base = (path as NSString).deletingLastPathComponent
        func fail(_ field: String, _ why: String) -> KubeConfigError {
            KubeConfigError("the kubeconfig \(path): \(field): \(why)")
        }
        let contextName = wanted ?? doc["current-context"]?.stringValue ?? ""
        guard !contextName.isEmpty else {
            throw fail("current-context", "not set; set it or name a context in the plugin config (context)")
        }
        let context = try named(doc, "contexts", contextName, path: path)["context"]
        guard let clusterName = context?["cluster"]?.stringValue else {
            throw fail("contexts[\(contextName)].context.cluster", "missing")
        }
        let userName = context?["user"]?.stringValue
        guard let cluster = try named(doc, "clusters", clusterName, path: path)["cluster"] else {
            throw fail("clusters[\(clusterName)].cluster", "missing")
        }
        guard let server = cluster["server"]?.stringValue, server.hasPrefix("https://") || server.hasPrefix("http://")
        else {
            throw fail("clusters[\(clusterName)].cluster.server", "missing or not an http(s):// URL")
        }
        if cluster["insecure-skip-tls-verify"]?.boolValue == true {
            throw fail(
                "clusters[\(clusterName)].cluster.insecure-skip-tls-verify",
                "not supported: give the cluster's CA (certificate-authority or certificate-authority-data)")
        }
        let where_ = "clusters[\(clusterName)].cluster"
        let caFile = try file(
            cluster, "certificate-authority", base: base, suffix: "crt", fail: { fail("\(where_).\($0)", $1) })
        var connection = KubeConnection(
            server: server, namespace: context?["namespace"]?.stringValue ?? "default", caFile: caFile,
            origin: "kubeconfig \(path) (context \(contextName))")
        guard let userName else { return connection }
        guard let user = try named(doc, "users", userName, path: path)["user"] else { return connection }
        let at = "users[\(userName)].user"
        for unsupported in ["exec", "auth-provider"] where user[unsupported] != nil {
            throw fail(
                "\(at).\(unsupported)", "credential plugins are not supported; use a token or a client certificate")
        }
        if let token = user["token"]?.stringValue {
            connection.token = token
        } else if let tokenFile = user["tokenFile"]?.stringValue {
            let full = resolve(tokenFile, base: base)
            guard let bytes = FileManager.default.contents(atPath: full) else {
                throw fail("\(at).tokenFile", "cannot read \(full)")
            }
            connection.token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        connection.clientCertificate = try file(
            user, "client-certificate", base: base, suffix: "crt", fail: { fail("\(at).\($0)", $1) })
        connection.clientKey = try file(
            user, "client-key", base: base, suffix: "key", fail: { fail("\(at).\($0)", $1) })
        if (connection.clientCertificate == nil) != (connection.clientKey == nil) {
            throw fail(at, "a client certificate needs its key and a key its certificate")
        }
        return connection
    }

    /// The member of a named list (`clusters`, `contexts`, `users`) called `name`.
    private static func named(
        _ doc: JSON, _ list: String, _ name: String, path: String
    ) throws(KubeConfigError)
        -> JSON
    {
        guard let items = doc[list]?.arrayValue else {
            throw KubeConfigError("the kubeconfig \(path): \(list): missing or not a list")
        }
        guard let item = items.first(where: { $0["name"]?.stringValue == name }) else {
            let known = items.compactMap { $0["name"]?.stringValue }
            throw KubeConfigError(
                "the kubeconfig \(path): \(list): no entry named \"\(name)\"; it has \(known.isEmpty ? "none" : known.joined(separator: ", "))"
            )
        }
        return item
    }

    /// FIELD (a path) or FIELD-data (base64 PEM, written to a private file): a path, or nil when neither is set.
    private static func file(
        _ section: JSON, _ field: String, base: String, suffix: String,
        fail: (String, String) -> KubeConfigError
    ) throws(KubeConfigError) -> String? {
        if let encoded = section[field + "-data"]?.stringValue {
            guard let bytes = Base64.decode(encoded.filter { !$0.isWhitespace }), !bytes.isEmpty else {
                throw fail(field + "-data", "not valid base64")
            }
            return try CredentialFiles.write(bytes, suffix: suffix)
        }
        guard let given = section[field]?.stringValue else { return nil }
        let full = resolve(given, base: base)
        guard FileManager.default.isReadableFile(atPath: full) else { throw fail(field, "cannot read \(full)") }
        return full
    }

    private static func resolve(_ path: String, base: String) -> String {
        path.hasPrefix("/") ? path : base + "/" + path
    }
}
