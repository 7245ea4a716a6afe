public import AloftWire

/// Where a plugin's code runs (`plugins.isolation` in aloft.yaml):
///
///     plugins:
///       isolation:
///         com.example.risky: process          # in runner processes, with the defaults below
///         com.example.heavy:
///           mode: process
///           runners: 2                        # processes serving this plugin (tasks spread by id)
///           address_space_mb: 4096            # RLIMIT_AS of each runner
///           open_files: 1024                  # RLIMIT_NOFILE
///           cpu_seconds: 86400                # RLIMIT_CPU (a runner that uses it up is killed and restarted)
///         "*": process                        # every plugin not named (built-ins included)
///
/// In-process is the default: the fastest, and right for plugins one trusts (the built-ins).
public struct IsolationSettings: Sendable, Equatable {
    public enum Mode: String, Sendable { case inProcess = "in-process", process }

    public var mode: Mode = .inProcess
    public var runners = 1
    public var limits = RunnerLimits()

    public init(mode: Mode = .inProcess, runners: Int = 1, limits: RunnerLimits = RunnerLimits()) {
        self.mode = mode
        self.runners = runners
        self.limits = limits
    }
}

/// Resource limits a runner sets on itself before it loads the plugin. nil: inherited from the host.
public struct RunnerLimits: Sendable, Equatable {
    public var addressSpaceBytes: UInt64?
    public var openFiles: UInt64?
    public var cpuSeconds: UInt64?

    public init(addressSpaceBytes: UInt64? = nil, openFiles: UInt64? = nil, cpuSeconds: UInt64? = nil) {
        self.addressSpaceBytes = addressSpaceBytes
        self.openFiles = openFiles
        self.cpuSeconds = cpuSeconds
    }
}

/// Everything a runner needs to load its plugin as the host would.
public struct RunnerSetup: Sendable, Equatable {
    public var path: String
    /// The plugin's `init` config (its section of `plugins.config`).
    public var config: JSON
    public var initBudget: Duration
    public var threads: Int
    public var maxStateBytes: Int
    public var limits: RunnerLimits

    public init(
        path: String, config: JSON, initBudget: Duration, threads: Int, maxStateBytes: Int, limits: RunnerLimits
    ) {
        self.path = path
        self.config = config
        self.initBudget = initBudget
        self.threads = threads
        self.maxStateBytes = maxStateBytes
        self.limits = limits
    }

    var json: JSON {
        var o: [String: JSON] = [
            "path": .string(path), "config": config, "init_budget_ms": .integer(initBudget.milliseconds),
            "threads": .integer(Int64(threads)), "max_state_bytes": .integer(Int64(maxStateBytes)),
        ]
        if let v = limits.addressSpaceBytes { o["address_space_bytes"] = .integer(Int64(clamping: v)) }
        if let v = limits.openFiles { o["open_files"] = .integer(Int64(clamping: v)) }
        if let v = limits.cpuSeconds { o["cpu_seconds"] = .integer(Int64(clamping: v)) }
        return .object(o)
    }

    init?(json: JSON) {
        guard let path = json["path"]?.stringValue, let config = json["config"],
            let ms = json["init_budget_ms"]?.integerValue,
            let threads = json["threads"]?.integerValue, let maxState = json["max_state_bytes"]?.integerValue
        else { return nil }
        self.init(
            path: path, config: config, initBudget: .milliseconds(ms), threads: Int(threads),
            maxStateBytes: Int(maxState),
            limits: RunnerLimits(
                addressSpaceBytes: json["address_space_bytes"]?.integerValue.map { UInt64($0) },
                openFiles: json["open_files"]?.integerValue.map { UInt64($0) },
                cpuSeconds: json["cpu_seconds"]?.integerValue.map { UInt64($0) }))
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
