import AloftSystem
import ArgumentParser
import FoundationEssentials

/// `aloft plugins new`: a plugin project that builds with one command and loads in aloft.
struct PluginsNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a skeleton plugin project in C, Rust or Swift: one task type whose outputs are its inputs.",
        discussion: """
            The project builds with one command (make, cargo build --release, swift build; offline) against this \
            aloft's SDK, and carries an example workflow. NAME is the task type and the end of the plugin id.
            """)

    @Option(help: "The language: c, rust or swift.") var lang: PluginSkeleton.Language
    @Argument(help: "The plugin's name: a lowercase letter, then lowercase letters, digits, - or _.") var name: String
    @Option(
        help: ArgumentHelp(
            "Where to write the project (default: ./NAME); must not exist or be empty.", valueName: "dir"))
    var dir: String?

    func validate() throws {
        guard PluginSkeleton.isValidName(name) else {
            throw ValidationError(
                "\"\(name)\" cannot name a plugin: use a lowercase letter, then lowercase letters, digits, - or _ (at most 64)"
            )
        }
    }

    func run() throws {
        let skeleton = try PluginSkeleton(name: name, language: lang, layout: try SDKLayout.locate())
        let target = PathString.expandingTilde(dir ?? name)
        try skeleton.write(to: target)
        let build = skeleton.build
        print("wrote \(target) (\(lang.rawValue) plugin \(Names(name).pluginID), task type \(name))")
        print("build: cd \(target) && \(build.command)   # -> \(build.library)")
    }
}

extension PluginSkeleton.Language: ExpressibleByArgument {}
