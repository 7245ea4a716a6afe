import ArgumentParser
import FoundationEssentials
import LocatedYAML
import Logging
import PluginHost

enum HostStartup {
    private static let bootstrap: Void = LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .trace
        return handler
    }

    static func logger(verbose: Bool) -> Logger {
        _ = bootstrap
        var logger = Logger(label: "aloft")
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }

    /// Reads the configuration (a bad file is a clear error naming its place) and starts the host: with
    /// `taskTypes`, initializing only the plugins that serve them (every file still listed and routed by).
    static func start(_ options: HostOptions, taskTypes: Set<String>? = nil) async throws -> PluginHost {
        let configuration: HostConfiguration
        do { configuration = try HostConfiguration.load(explicitPath: options.config) } catch {
            throw CLIError(error.description)
        }
        return await PluginHost.start(
            configuration: configuration, logger: logger(verbose: options.verbose), taskTypes: taskTypes)
    }
}

/// A user-facing failure: printed as `error: <message>`, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension CLIError: LocalizedError {
    var errorDescription: String? { description }
}
