import ArgumentParser
import PluginHost

@main
struct Aloft: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aloft",
        abstract: "Typed, cached, versioned workflows whose tasks run in plugins.",
        discussion: """
            Exit codes: 0 success; 1 the command found problems (configuration errors, a bad spec, a \
            refused file given to `plugins inspect`); 2 a workflow failed; 3 a workflow was aborted; 64 bad usage.
            """,
        version: "aloft \(AloftVersion.string) (plugin ABI \(AloftVersion.abiMajor).\(AloftVersion.abiMinor))",
        subcommands: [
            RunCommand.self, ResumeCommand.self, RecoverCommand.self, RelaunchCommand.self, ExecutionCommands.self,
            CacheCommand.self, LineageCommand.self, CompileCommand.self, GraphCommand.self,
            RegisterCommand.self, LaunchCommand.self, GetCommand.self, ProjectsCommand.self, SchedulerCommand.self,
            WorkerCommand.self, PluginsCommand.self, ServeCommand.self, TokensCommand.self, VersionCommand.self,
        ])
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print Aloft's version and plugin ABI.")

    func run() {
        print("aloft \(AloftVersion.string)")
        print("plugin ABI \(AloftVersion.abiMajor).\(AloftVersion.abiMinor)")
    }
}
