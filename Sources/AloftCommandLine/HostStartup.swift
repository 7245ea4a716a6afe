public import ArgumentParser
import FoundationEssentials
import LocatedYAML
public import Logging
public import PluginHost

public enum HostStartup {
    private static let bootstrap: Void = LoggingSystem.bootstrap { label in
        var handler = OrderedLogHandler(label: label)
        handler.logLevel = .trace
        return handler
    }

    public static func logger(verbose: Bool) -> Logger {
        _ = bootstrap
        var logger = Logger(label: "aloft")
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }

    /// Reads the configuration (a bad file is a clear error naming its place) and starts the host: with
    /// `taskTypes`, initializing only the plugins that serve them (every file still listed and routed by);
    /// those serving only `deferring` types are initialized at their first task call.
    public static func start(
        _ options: HostOptions, taskTypes: Set<String>? = nil, deferring: Set<String> = []
    ) async throws -> PluginHost {
        let configuration: HostConfiguration
        do { configuration = try HostConfiguration.load(explicitPath: options.config) } catch {
            throw CLIError(error.description)
        }
        return await PluginHost.start(
            configuration: configuration, logger: logger(verbose: options.verbose), taskTypes: taskTypes,
            deferring: deferring)
    }
}

/// Options every command that loads plugins shares.
public struct HostOptions: ParsableArguments {
    public init() {}

    @Option(name: .long, help: "Configuration file (default: ./aloft.yaml when it exists).")
    public var config: String?

    @Flag(name: .shortAndLong, help: "Log what plugins and the host say (debug level).")
    public var verbose = false
}
