import AloftHTTP
import AloftHive
import PluginKit

/// Where the server is and who to be there: the plugin config (plugins.config."aloft.hive"). The password
/// is not here: it is read through the host's secret lookup when a client is made, and never kept.
struct HiveConnection {
    var host = "127.0.0.1"
    var port = 10001
    /// "http" (Thrift over HTTP POST) or "binary" (Thrift over TCP with SASL PLAIN).
    var transport = "http"
    var httpPath = "cliservice"
    var tls = false
    var database: String?
    var user = "aloft"
    /// The host secret holding the password; nil: try `hive_password`, go without one if it is not granted.
    var passwordSecret: String?
    var pollSeconds = 1.0
    var fetchSize = 10_000
    var timeoutSeconds = 300.0

    static let keys: Set<String> = [
        "host", "port", "transport", "http_path", "tls", "database", "user", "password_secret", "poll_seconds",
        "fetch_size", "timeout_seconds",
    ]

    init(config: JSON) throws(PluginError) {
        guard let object = config.objectValue else {
            throw .user("the aloft.hive plugin config must be a mapping", code: "BadConfig")
        }
        if let unknown = object.keys.filter({ !Self.keys.contains($0) }).sorted().first {
            throw .user(
                "plugins.config.\"aloft.hive\": unknown key \"\(unknown)\"; known: \(Self.keys.sorted().joined(separator: ", "))",
                code: "BadConfig")
        }
        func string(_ key: String) throws(PluginError) -> String? {
            guard let v = object[key] else { return nil }
            guard let s = v.stringValue, !s.isEmpty else {
                throw .user("plugins.config.\"aloft.hive\".\(key) must be a non-empty string", code: "BadConfig")
            }
            return s
        }
        func number(_ key: String, atLeast minimum: Double) throws(PluginError) -> Double? {
            guard let v = object[key] else { return nil }
            guard let n = v.numberValue, n >= minimum else {
                throw .user(
                    "plugins.config.\"aloft.hive\".\(key) must be a number of at least \(minimum)", code: "BadConfig")
            }
            return n
        }
        host = try string("host") ?? host
        transport = try string("transport") ?? transport
        guard transport == "http" || transport == "binary" else {
            throw .user(
                "plugins.config.\"aloft.hive\".transport must be http or binary, not \"\(transport)\"",
                code: "BadConfig")
        }
        port = transport == "binary" ? 10000 : 10001
        if let p = try number("port", atLeast: 1) {
            guard p <= 65535, p == p.rounded() else {
                throw .user("plugins.config.\"aloft.hive\".port must be a port number", code: "BadConfig")
            }
            port = Int(p)
        }
        httpPath = try string("http_path") ?? httpPath
        if let v = object["tls"] {
            guard let b = v.boolValue else {
                throw .user("plugins.config.\"aloft.hive\".tls must be true or false", code: "BadConfig")
            }
            tls = b
        }
        database = try string("database")
        user = try string("user") ?? user
        passwordSecret = try string("password_secret")
        pollSeconds = try number("poll_seconds", atLeast: 0.01) ?? pollSeconds
        fetchSize = Int(try number("fetch_size", atLeast: 1) ?? Double(fetchSize))
        timeoutSeconds = try number("timeout_seconds", atLeast: 1) ?? timeoutSeconds
    }

    /// The password, read now from the host's secrets; it lives only inside the transport made with it.
    func password(host services: HostServices) throws(PluginError) -> String {
        if let name = passwordSecret {
            do { return String(decoding: try services.secret(name), as: UTF8.self) } catch {
                throw .user(
                    "the Hive password secret \"\(name)\" is not available: grant it to aloft.hive under plugins.secrets (\(error.message))",
                    code: "Credentials")
            }
        }
        return (try? services.secret("hive_password")).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// An HTTP transport: stateless, one per call is fine (libcurl keeps the connections).
    func httpTransport(host services: HostServices, http: HTTPClient) throws(PluginError) -> HiveHTTPTransport {
        HiveHTTPTransport(
            host: host, port: port, path: httpPath, tls: tls, user: user, password: try password(host: services),
            http: http,
            timeoutMilliseconds: Int(timeoutSeconds * 1000))
    }

    /// A new TCP connection, authenticated (binary transport).
    func tcpTransport(host services: HostServices) throws(PluginError) -> HiveTCPTransport {
        let password = try password(host: services)
        do {
            return try HiveTCPTransport(
                host: host, port: port, user: user, password: password, timeoutMilliseconds: Int(timeoutSeconds * 1000))
        } catch {
            throw HiveErrors.map(error, "connecting to \(address)")
        }
    }

    /// The session's configuration: the database to start in (HiveServer2's `use:database`) and the task's hive_conf.
    func sessionConfiguration(_ hiveConf: [String: String]) -> [String: String] {
        var c: [String: String] = [:]
        for (k, v) in hiveConf { c["set:hiveconf:" + k] = v }
        if let database { c["use:database"] = database }
        return c
    }

    var address: String {
        transport == "binary" ? "\(host):\(port) (binary)" : "\(tls ? "https" : "http")://\(host):\(port)/\(httpPath)"
    }
}
