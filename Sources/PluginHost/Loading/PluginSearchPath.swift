import AloftSystem
public import FoundationEssentials

/// A directory the host looks for plugins in, and why.
public struct PluginDirectory: Sendable, Equatable {
    public enum Origin: String, Sendable {
        case config = "config file"
        case environment = "ALOFT_PLUGIN_PATH"
        case home = "~/.aloft/plugins"
        case builtin = "built-in"
        case installed = "<prefix>/lib/aloft/plugins"
    }

    public var path: String
    public var origin: Origin

    public init(path: String, origin: Origin) {
        self.path = path
        self.origin = origin
    }

    /// In the executable's own directory (which holds other files too) only Aloft's built-in plugin
    /// libraries are considered; in plugin directories, every shared library.
    public func accepts(fileName: String) -> Bool {
        guard fileName.hasSuffix(PluginSearchPath.libraryExtension) else { return false }
        return origin != .builtin || fileName.hasPrefix("libAloftPlugin")
    }
}

/// Where plugins are found, in precedence order: a plugin id found earlier wins over the same id later.
///   1. directories in the config file (`plugins.paths`)
///   2. `ALOFT_PLUGIN_PATH` (colon-separated)
///   3. `~/.aloft/plugins`
///   4. built-in: the aloft executable's directory and `<prefix>/lib/aloft/plugins` beside its `bin/`
public enum PluginSearchPath {
    #if os(macOS)
    public static let libraryExtension = ".dylib"
    #else
    public static let libraryExtension = ".so"
    #endif

    public static func directories(
        configuration: HostConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executableDirectory: String? = executableDirectory()
    ) -> [PluginDirectory] {
        var dirs = configuration.pluginPaths.map { PluginDirectory(path: $0, origin: .config) }
        if let env = environment["ALOFT_PLUGIN_PATH"] {
            dirs += env.split(separator: ":").filter { !$0.isEmpty }.map {
                PluginDirectory(path: PathString.expandingTilde(String($0)), origin: .environment)
            }
        }
        if let home = environment["HOME"] {
            dirs.append(
                PluginDirectory(path: PathString.appending(home, ".aloft/plugins"), origin: .home))
        }
        if configuration.searchBuiltin, let exe = executableDirectory {
            dirs.append(PluginDirectory(path: exe, origin: .builtin))
            let prefix = PathString.parent(exe)
            dirs.append(
                PluginDirectory(
                    path: PathString.appending(prefix, "lib/aloft/plugins"), origin: .installed))
        }
        return dirs
    }

    /// Plugin files of one directory, sorted by name so loading is deterministic. A missing directory
    /// has no plugins.
    public static func files(in directory: PluginDirectory) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { directory.accepts(fileName: $0) }.sorted()
            .map { PathString.appending(directory.path, $0) }
    }

    /// The directory of the running executable (resolving symlinks).
    public static func executableDirectory() -> String? {
        #if os(Linux)
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return PathString.parent(exe)
        #else
        return PathString.parent(CommandLine.arguments[0])
        #endif
    }
}
