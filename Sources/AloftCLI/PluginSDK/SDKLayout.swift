import AloftCommandLine
import AloftSystem
import FoundationEssentials
import PluginHost

/// Where the plugin SDK is, found from the running `aloft`:
/// * installed: `<prefix>/bin/aloft` with the headers in `<prefix>/include` (`aloft_plugin.h`, `aloft/…`)
///   and the Rust crate in `<prefix>/share/aloft/rust/aloft-plugin`;
/// * a built source tree: `<root>/.build/<triple>/<config>/aloft` with the headers in
///   `<root>/Sources/PluginABI/include`, the crate in `<root>/sdk/rust/aloft-plugin`, and `<root>` itself a
///   package that offers the `PluginKit` product.
struct SDKLayout: Equatable {
    /// The directory to pass with `-I`: it holds `aloft_plugin.h` and `aloft/`.
    let includeDirectory: String
    /// The Rust bindings crate, when there is one.
    let rustCrate: String?
    /// The aloft source package (Swift plugins depend on its PluginKit), in a built tree only.
    let sourceRoot: String?

    static func locate(
        executableDirectory: String? = PluginSearchPath.executableDirectory()
    ) throws(CLIError) -> SDKLayout {
        guard let exe = executableDirectory else { throw CLIError("cannot tell where the running aloft is") }
        let files = FileManager.default
        let prefix = PathString.parent(exe)
        if files.fileExists(atPath: prefix + "/include/aloft_plugin.h") {
            let crate = prefix + "/share/aloft/rust/aloft-plugin"
            return SDKLayout(
                includeDirectory: prefix + "/include",
                rustCrate: files.fileExists(atPath: crate + "/Cargo.toml") ? crate : nil, sourceRoot: nil)
        }
        var dir = exe
        for _ in 0..<6 {
            if let layout = sourceTree(dir) { return layout }
            let parent = PathString.parent(dir)
            if parent == dir { break }
            dir = parent
        }
        throw CLIError(
            """
            no plugin SDK beside \(exe): expected \(prefix)/include/aloft_plugin.h (an installed aloft) \
            or a source tree above it with Sources/PluginABI/include (a built one)
            """)
    }

    /// The layout of the aloft source tree at `root`, if it is one.
    static func sourceTree(_ root: String) -> SDKLayout? {
        let files = FileManager.default
        let include = root + "/Sources/PluginABI/include"
        guard files.fileExists(atPath: include + "/aloft_plugin.h"), files.fileExists(atPath: root + "/Package.swift")
        else { return nil }
        let crate = root + "/sdk/rust/aloft-plugin"
        return SDKLayout(
            includeDirectory: include, rustCrate: files.fileExists(atPath: crate + "/Cargo.toml") ? crate : nil,
            sourceRoot: root)
    }

    var cflags: String { "-I" + includeDirectory }

    /// A pkg-config file for `pkg-config --cflags aloft-plugin`.
    var pkgConfigFile: String {
        """
        # Written by `aloft plugins sdk --pkg-config`: the Aloft plugin ABI headers and the optional C kit.
        includedir=\(includeDirectory)

        Name: aloft-plugin
        Description: Aloft plugin ABI \(AloftVersion.abiMajor).\(AloftVersion.abiMinor) (aloft_plugin.h) and the optional C kit (aloft/kit.h)
        Version: \(AloftVersion.string)
        Cflags: -I${includedir}

        """
    }
}
