import AloftCommandLine
import AloftSystem
import AloftWire
import ArgumentParser
import FoundationEssentials
import PluginHost

struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List and check plugins.",
        subcommands: [
            List.self, Inspect.self, PluginsCheckCommand.self, PluginsNewCommand.self, PluginsSDKCommand.self,
        ])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Every plugin found: id, version, ABI, task types, file, and whether it loaded or why not.",
            discussion: "Exits 1 when the configuration has problems (routing conflicts, bad routes).")

        @OptionGroup var host: HostOptions
        @Flag(help: "Machine-readable output.") var json = false

        func run() async throws {
            let host = try await HostStartup.start(host)
            defer { host.shutdown() }
            if json {
                print(JSONWriter.string(PluginReport.json(host)))
            } else {
                print(PluginReport.text(host), terminator: "")
            }
            if !host.problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Check one plugin file without enabling it: load it, read and validate its descriptor.",
            discussion: "With --init, also initialize it with --plugin-config. Exits 1 when the file is refused.")

        @Argument(help: "The plugin's shared library.") var file: String
        @Flag(help: "Also call init (runs the plugin's start-up code).") var `init` = false
        @Option(help: "JSON object handed to init with --init.") var pluginConfig = "{}"
        @Flag(help: "Machine-readable output.") var json = false
        @Flag(name: .shortAndLong, help: "Log what the plugin says.") var verbose = false

        func run() async throws {
            let path = PathString.expandingTilde(file)
            guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(file): no such file") }
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            let parsedConfig: JSON
            do { parsedConfig = try JSONParser.parse(pluginConfig) } catch {
                throw CLIError("--plugin-config is not valid JSON: \(error)")
            }
            let record = await PluginInspector.inspect(
                path: absolute, initialize: `init`, pluginConfig: parsedConfig,
                logger: HostStartup.logger(verbose: verbose))
            if json {
                print(JSONWriter.string(PluginReport.json(record)))
            } else {
                print(PluginReport.describe(record), terminator: "")
            }
            if record.refusal != nil { throw ExitCode(1) }
        }
    }
}
