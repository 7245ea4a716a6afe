import AloftCommandLine
import AloftSystem
import ArgumentParser
import FoundationEssentials

/// `aloft plugins sdk`: what a third party needs to build against the header.
struct PluginsSDKCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdk",
        abstract: "Where the plugin SDK is: compiler flags for the C header, or a pkg-config file.",
        discussion: """
            cc $(aloft plugins sdk --cflags) -shared -fPIC -fvisibility=hidden plugin.c -o libplugin.so
            aloft plugins sdk --pkg-config ~/.local/lib/pkgconfig   # then: pkg-config --cflags aloft-plugin
            Without options, prints the header directory, the Rust crate and the source tree (Swift plugins).
            """)

    @Flag(help: "Print the compiler flags for aloft_plugin.h and aloft/kit.h (an -I option).") var cflags = false
    @Option(
        name: .customLong("pkg-config"),
        help: ArgumentHelp("Write aloft-plugin.pc into this directory.", valueName: "dir"))
    var pkgConfig: String?

    func run() throws {
        let layout = try SDKLayout.locate()
        if let pkgConfig {
            let dir = PathString.expandingTilde(pkgConfig)
            let file = PathString.appending(dir, "aloft-plugin.pc")
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try layout.pkgConfigFile.write(toFile: file, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("cannot write \(file): \(error.systemText)")
            }
            if !cflags { print("wrote \(file)") }
        }
        if cflags { print(layout.cflags) }
        if !cflags && pkgConfig == nil {
            print("headers:    \(layout.includeDirectory)  (aloft_plugin.h; the optional C kit aloft/kit.h)")
            print("cflags:     \(layout.cflags)")
            print("rust crate: \(layout.rustCrate ?? "(none)")")
            print(
                "source:     \(layout.sourceRoot ?? "(none: an installed aloft; Swift plugins need the source tree)")")
        }
    }
}
