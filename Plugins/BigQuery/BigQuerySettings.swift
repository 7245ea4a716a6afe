import PluginKit

/// The plugin config (plugins.config."aloft.bigquery" in aloft.yaml):
///
///     endpoint: http://127.0.0.1:9050      # an emulator; default https://bigquery.googleapis.com
///     project: my-project                  # default for tasks; else the key's project_id
///     location: US                         # default for tasks
///     token_uri: http://127.0.0.1:8080/token   # overrides the key's token_uri
///     credentials: none                    # send no token (emulators); default: a service-account key
///     key_secret: gcp_service_account_key  # the host secret holding the key JSON
///     poll_seconds: 5
struct BigQuerySettings: Sendable {
    var endpoint: String?
    var project: String?
    var location: String?
    var tokenURI: String?
    var anonymous = false
    var keySecret = "gcp_service_account_key"
    var pollSeconds = 5.0

    static let keys: Set<String> = [
        "endpoint", "project", "location", "token_uri", "credentials", "key_secret", "poll_seconds",
    ]

    init(config: JSON) throws(PluginError) {
        guard let object = config.objectValue else {
            throw Self.bad("the plugin config of aloft.bigquery must be a mapping")
        }
        if let unknown = object.keys.filter({ !Self.keys.contains($0) }).sorted().first {
            throw Self.bad(
                "plugin config aloft.bigquery: unknown key \"\(unknown)\" (known: \(Self.keys.sorted().joined(separator: ", ")))"
            )
        }
        func text(_ key: String) throws(PluginError) -> String? {
            guard let v = object[key] else { return nil }
            guard let s = v.stringValue, !s.isEmpty else {
                throw Self.bad("plugin config aloft.bigquery: \(key) must be a non-empty string")
            }
            return s
        }
        endpoint = try text("endpoint")
        project = try text("project")
        location = try text("location")
        tokenURI = try text("token_uri")
        keySecret = try text("key_secret") ?? keySecret
        switch try text("credentials") {
        case nil, "service_account": anonymous = false
        case "none": anonymous = true
        case let other?:
            throw Self.bad(
                "plugin config aloft.bigquery: credentials must be service_account or none, not \"\(other)\"")
        }
        if let v = object["poll_seconds"] {
            guard let s = v.numberValue, s > 0 else {
                throw Self.bad("plugin config aloft.bigquery: poll_seconds must be a positive number")
            }
            pollSeconds = s
        }
    }

    private static func bad(_ message: String) -> PluginError { .user(message, code: "BadConfig") }
}
