public import Foundation
public import Logging
public import PluginHost

/// Builds the test plugins with the system C compiler against the public header only, and finds the
/// Swift plugins SwiftPM built. Every test gets its own copies in its own directory: a copy is a new inode,
/// so the dynamic loader loads it afresh and tests cannot see each other's plugin state.
public enum Fixtures {
    public static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let include = repoRoot.appendingPathComponent("Sources/PluginABI/include").path
    public static let cEchoSource = repoRoot.appendingPathComponent("examples/plugins/c-echo/echo.c").path
    public static let badSource = repoRoot.appendingPathComponent("Tests/PluginHostTests/Fixtures/bad_plugin.c").path

    /// Compiled once per test run, copied per test: fixture name -> library, or why they could not be built
    /// (thrown by `compiled(_:)`, so a broken fixture fails the tests that use it, not the whole run).
    private static let built: Result<[String: String], any Error> = Result {
        let dir = try TemporaryDirectory.make("fixtures")
        var out: [String: String] = [:]
        out["c-echo"] = try compile(cEchoSource, defines: [], to: "\(dir)/libc_echo.so")
        for variant in [
            "NO_ENTRY", "NULL_DESCRIPTOR", "MAJOR_2", "MINOR_NEWER", "BAD_ID", "NO_TYPES", "SLOW_INIT",
            "UNDEFINED_SYMBOL", "ABI_1_0",
        ] {
            out[variant] = try compile(badSource, defines: [variant], to: "\(dir)/lib\(variant.lowercased()).so")
        }
        out["GOOD_FIXTURE"] = try compile(badSource, defines: [], to: "\(dir)/libgood_fixture.so")
        return out
    }

    /// The library of a fixture compiled once per run ("c-echo", a bad_plugin.c variant, "GOOD_FIXTURE").
    public static func compiled(_ name: String) throws -> String {
        guard let path = try built.get()[name] else { throw FixtureError("no test fixture named \(name)") }
        return path
    }

    /// Compiles a C test plugin against the public header; the output path.
    public static func compile(_ source: String, defines: [String], to output: String) throws -> String {
        let cc = ProcessInfo.processInfo.environment["CC"] ?? "cc"
        var args = [
            cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-fvisibility=hidden", "-I", include,
        ]
        args += defines.map { "-D\($0)" }
        if defines.contains("UNDEFINED_SYMBOL") { args += ["-Wl,--allow-shlib-undefined"] }
        args += [source, "-o", output, "-lpthread"]
        let ended = try TestProcess.run(args, limit: .seconds(300))
        guard ended.succeeded else {
            throw FixtureError("compiling the test plugin failed: \(args.joined(separator: " ")): \(ended)")
        }
        return output
    }

    /// Runs a command (looked up on PATH) to its end; its exit status (a signal or the time limit is 128+).
    @discardableResult
    public static func run(_ args: [String], limit: Duration = .seconds(900)) throws -> Int32 {
        let ended = try TestProcess.run(args, limit: limit)
        return ended.signalled || ended.killedAtLimit ? 128 + ended.status : ended.status
    }

    /// The directory SwiftPM built the tests in, where the built-in plugin libraries are too.
    public static var buildDirectory: String {
        PluginSearchPath.executableDirectory() ?? (CommandLine.arguments[0] as NSString).deletingLastPathComponent
    }

    /// The Swift echo plugin SwiftPM built.
    public static var swiftEcho: String {
        get throws {
            let path = buildDirectory + "/libAloftPluginEcho.so"
            guard FileManager.default.fileExists(atPath: path) else {
                throw FixtureError("\(path) is missing: run `swift build` before `swift test`")
            }
            return path
        }
    }

    /// A fresh directory holding copies of the named fixtures (name -> file name in the directory), removed
    /// with the run's temporary directories (see `TemporaryDirectory`).
    public static func directory(_ files: [String: String]) throws -> String {
        let dir = try TemporaryDirectory.make("plugins")
        for (fixture, name) in files {
            let source = fixture == "swift-echo" ? try swiftEcho : try compiled(fixture)
            try FileManager.default.copyItem(atPath: source, toPath: "\(dir)/\(name)")
        }
        return dir
    }

    public static let quietLogger: Logger = {
        var l = Logger(label: "aloft-test", factory: { _ in SwiftLogNoOpLogHandler() })
        l.logLevel = .critical
        return l
    }()

    public static func host(
        directory: String, configure: (inout HostConfiguration) -> Void = { _ in },
        environment: [String: String] = [:], logger: Logger = quietLogger
    ) async -> PluginHost {
        var configuration = HostConfiguration()
        configuration.searchBuiltin = false
        configure(&configuration)
        return await PluginHost.start(
            configuration: configuration, logger: logger, environment: environment,
            directories: [PluginDirectory(path: directory, origin: .config)])
    }
}
