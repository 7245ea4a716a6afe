import AloftSystem
public import AloftWire
public import FoundationEssentials
public import LocatedYAML

/// The host's configuration: `aloft.yaml` in the working directory, or the file given with `--config`.
///
///     plugins:
///       paths: [./plugins]            # more plugin directories, relative to this file
///       builtin: true                 # also load the plugins next to the aloft executable
///       enabled: [aloft.echo]         # default: every plugin found
///       routes: {echo: aloft.echo}    # task type -> plugin id, needed when two plugins claim a type
///       config:                       # handed to each plugin's init, as JSON
///         aloft.echo: {}
///       secrets: {com.example.db: [db-password]}   # secrets a plugin may always read ("*": all)
///       call_budget_seconds: 30       # submit / poll / abort / finalize
///       init_budget_seconds: 30       # loading and init
///       threads: 4                    # threads per plugin
///       quarantine_after: 3           # overruns before a plugin takes no new tasks
///       isolation:                    # where plugin code runs (see IsolationSettings); default in-process
///         com.example.risky: process
///     secrets:
///       dir: /run/secrets             # one file per secret, besides ALOFT_SECRET_<NAME> variables
///     quotas: {bigquery: 10}          # task type -> most tasks at once across every worker of the store
public struct HostConfiguration: Sendable {
    /// The file this came from; nil for defaults.
    public var file: String?
    public var pluginPaths: [String] = []
    public var searchBuiltin = true
    public var enabled: [String]?
    public var routes: [String: String] = [:]
    public var pluginConfig: [String: JSON] = [:]
    public var secretGrants: [String: Set<String>] = [:]
    public var callOptions = PluginCallOptions()
    public var secretsDirectory: String?
    /// Task type -> the most of its tasks running at once across every process sharing the metadata store.
    public var quotas: [String: Int] = [:]
    /// Plugin id (or "*" for every other plugin) -> where its code runs.
    public var isolation: [String: IsolationSettings] = [:]
    /// Where each setting was written, for messages about it (e.g. a route to an unknown plugin).
    public var locations: [String: SourceLocation] = [:]

    public init() {}

    public static let defaultFileName = "aloft.yaml"

    /// Where plugin `id`'s code runs.
    public func isolation(for id: String) -> IsolationSettings {
        isolation[id] ?? isolation["*"] ?? IsolationSettings()
    }

    /// Whether some plugin may run in a runner process (so the loader must learn ids before loading in-process).
    var isolatesAny: Bool { isolation.values.contains { $0.mode == .process } }

    /// `explicitPath`, or `aloft.yaml` in `directory` when it exists, or the defaults.
    public static func load(
        explicitPath: String?, directory: String = FileManager.default.currentDirectoryPath
    )
        throws(DocumentError) -> HostConfiguration
    {
        let path: String
        if let explicitPath {
            path = explicitPath
        } else {
            let candidate = PathString.appending(directory, defaultFileName)
            guard FileManager.default.fileExists(atPath: candidate) else { return HostConfiguration() }
            path = candidate
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DocumentError(
                SourceLocation(file: path, line: 0, column: 0), "cannot read the config file (missing or not readable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DocumentError(SourceLocation(file: path, line: 1, column: 1), "the config file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(DocumentError) -> HostConfiguration {
        var config = HostConfiguration()
        config.file = file
        guard let root = try YAMLDocument.parse(text, file: file) else { return config }
        let base = PathString.standardized(PathString.parent(file))
        let reader = ConfigReader()
        let top = try reader.mapping(root, "the config file", allowed: ["plugins", "secrets", "quotas"])
        if let plugins = top["plugins"] {
            let p = try reader.mapping(
                plugins, "plugins",
                allowed: [
                    "paths", "builtin", "enabled", "routes", "config", "secrets", "call_budget_seconds",
                    "init_budget_seconds", "threads", "quarantine_after", "isolation",
                ])
            if let paths = p["paths"] {
                config.pluginPaths = try reader.strings(paths, "plugins.paths").map { absolute($0, base: base) }
            }
            if let b = p["builtin"] { config.searchBuiltin = try reader.bool(b, "plugins.builtin") }
            if let e = p["enabled"] { config.enabled = try reader.strings(e, "plugins.enabled") }
            if let r = p["routes"] {
                for (type, value, location) in try reader.entries(r, "plugins.routes") {
                    config.routes[type] = try reader.string(value, "plugins.routes.\(type)")
                    config.locations["plugins.routes.\(type)"] = location
                }
            }
            if let c = p["config"] {
                for (id, value, _) in try reader.entries(c, "plugins.config") {
                    guard case .mapping = value else {
                        throw DocumentError(
                            value.location, "plugins.config.\(id) must be a mapping, found \(value.kindName)")
                    }
                    config.pluginConfig[id] = value.json
                }
            }
            if let s = p["secrets"] {
                for (id, value, _) in try reader.entries(s, "plugins.secrets") {
                    if case .scalar(.string("*"), _) = value {
                        config.secretGrants[id] = ["*"]
                    } else {
                        config.secretGrants[id] = Set(try reader.strings(value, "plugins.secrets.\(id)"))
                    }
                }
            }
            if let v = p["call_budget_seconds"] {
                config.callOptions.callBudget = try reader.seconds(v, "plugins.call_budget_seconds")
            }
            if let v = p["init_budget_seconds"] {
                config.callOptions.initBudget = try reader.seconds(v, "plugins.init_budget_seconds")
            }
            if let v = p["threads"] {
                config.callOptions.threads = try reader.positiveInt(v, "plugins.threads", max: 256)
            }
            if let v = p["quarantine_after"] {
                config.callOptions.quarantineAfter = try reader.positiveInt(
                    v, "plugins.quarantine_after", max: 1_000_000)
            }
            if let i = p["isolation"] {
                for (id, value, _) in try reader.entries(i, "plugins.isolation") {
                    config.isolation[id] = try reader.isolation(value, "plugins.isolation.\(id)")
                }
            }
        }
        if let quotas = top["quotas"] {
            for (type, value, location) in try reader.entries(quotas, "quotas") {
                config.quotas[type] = try reader.positiveInt(value, "quotas.\(type)", max: 1_000_000)
                config.locations["quotas.\(type)"] = location
            }
        }
        if let secrets = top["secrets"] {
            let s = try reader.mapping(secrets, "secrets", allowed: ["dir"])
            if let dir = s["dir"] {
                config.secretsDirectory = absolute(try reader.string(dir, "secrets.dir"), base: base)
            }
        }
        return config
    }

    private static func absolute(_ path: String, base: String) -> String {
        let expanded = PathString.expandingTilde(path)
        return expanded.hasPrefix("/")
            ? expanded : PathString.standardized(PathString.appending(base, expanded))
    }
}

/// Reads typed settings out of a located document, naming the setting and its place on every error.
struct ConfigReader {
    func mapping(
        _ v: LocatedValue, _ name: String, allowed: Set<String>
    ) throws(DocumentError) -> [String: LocatedValue] {
        guard case .mapping(let members, _) = v else {
            throw DocumentError(v.location, "\(name) must be a mapping, found \(v.kindName)")
        }
        var out: [String: LocatedValue] = [:]
        for m in members {
            guard allowed.contains(m.key) else {
                throw DocumentError(
                    m.keyLocation,
                    "unknown setting \"\(m.key)\" in \(name) (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            out[m.key] = m.value
        }
        return out
    }

    func entries(_ v: LocatedValue, _ name: String) throws(DocumentError) -> [(String, LocatedValue, SourceLocation)] {
        guard case .mapping(let members, _) = v else {
            throw DocumentError(v.location, "\(name) must be a mapping, found \(v.kindName)")
        }
        return members.map { ($0.key, $0.value, $0.keyLocation) }
    }

    func string(_ v: LocatedValue, _ name: String) throws(DocumentError) -> String {
        guard case .scalar(.string(let s), _) = v, !s.isEmpty else {
            throw DocumentError(v.location, "\(name) must be a non-empty string, found \(v.kindName)")
        }
        return s
    }

    func strings(_ v: LocatedValue, _ name: String) throws(DocumentError) -> [String] {
        guard case .sequence(let items, _) = v else {
            throw DocumentError(v.location, "\(name) must be a list, found \(v.kindName)")
        }
        var out: [String] = []
        for (i, item) in items.enumerated() { out.append(try string(item, "\(name)[\(i)]")) }
        return out
    }

    func bool(_ v: LocatedValue, _ name: String) throws(DocumentError) -> Bool {
        guard case .scalar(.bool(let b), _) = v else {
            throw DocumentError(v.location, "\(name) must be true or false, found \(v.kindName)")
        }
        return b
    }

    func positiveInt(_ v: LocatedValue, _ name: String, max: Int) throws(DocumentError) -> Int {
        guard case .scalar(.integer(let i), _) = v, i >= 1, i <= max else {
            throw DocumentError(v.location, "\(name) must be a whole number from 1 to \(max)")
        }
        return Int(i)
    }

    /// `process`, `in-process`, or a mapping with `mode`, `runners` and the runner limits.
    func isolation(_ v: LocatedValue, _ name: String) throws(DocumentError) -> IsolationSettings {
        func mode(_ v: LocatedValue) throws(DocumentError) -> IsolationSettings.Mode {
            guard case .scalar(.string(let s), _) = v, let m = IsolationSettings.Mode(rawValue: s) else {
                throw DocumentError(
                    v.location, "\(name) must be process or in-process, or a mapping with mode: process")
            }
            return m
        }
        if case .scalar = v { return IsolationSettings(mode: try mode(v)) }
        let m = try mapping(v, name, allowed: ["mode", "runners", "address_space_mb", "open_files", "cpu_seconds"])
        var settings = IsolationSettings(mode: .process)
        if let v = m["mode"] { settings.mode = try mode(v) }
        if let v = m["runners"] { settings.runners = try positiveInt(v, "\(name).runners", max: 64) }
        if let v = m["address_space_mb"] {
            settings.limits.addressSpaceBytes =
                UInt64(try positiveInt(v, "\(name).address_space_mb", max: 1 << 30)) << 20
        }
        if let v = m["open_files"] {
            settings.limits.openFiles = UInt64(try positiveInt(v, "\(name).open_files", max: 1 << 20))
        }
        if let v = m["cpu_seconds"] {
            settings.limits.cpuSeconds = UInt64(try positiveInt(v, "\(name).cpu_seconds", max: 1 << 30))
        }
        return settings
    }

    func seconds(_ v: LocatedValue, _ name: String) throws(DocumentError) -> Duration {
        guard case .scalar(let j, _) = v, let s = j.numberValue, s > 0, s <= 86_400 else {
            throw DocumentError(v.location, "\(name) must be a number of seconds greater than 0 and at most 86400")
        }
        return .milliseconds(Int64(s * 1000))
    }
}
