import Foundation
import Logging
import PluginHost

/// Builds the test plugins with the system C compiler against the public header only, and finds the
/// Swift plugins SwiftPM built. Every test gets its own copies in its own directory: a copy is a new inode,
/// so the dynamic loader loads it afresh and tests cannot see each other's plugin state.
public enum Fixtures {
    public static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let include = repoRoot.appendingPathComponent("Sources/PluginABI/include").path
    public static let cEchoSource = repoRoot.appendingPathComponent("examples/plugins/c-echo/echo.c").path
    public static let badSource = repoRoot.appendingPathComponent("Tests/PluginHostTests/Fixtures/bad_plugin.c").path

    /// Compiled once per test run, copied per test.
    public static let compiled: [String: String] = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-fixtures-\(getpid())").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var out: [String: String] = [:]
        out["c-echo"] = compile(cEchoSource, defines: [], to: "\(dir)/libc_echo.so")
        for variant in ["NO_ENTRY", "NULL_DESCRIPTOR", "MAJOR_2", "MINOR_NEWER", "BAD_ID", "NO_TYPES", "SLOW_INIT",
                        "UNDEFINED_SYMBOL"] {
            out[variant] = compile(badSource, defines: [variant], to: "\(dir)/lib\(variant.lowercased()).so")
        }
        out["GOOD_FIXTURE"] = compile(badSource, defines: [], to: "\(dir)/libgood_fixture.so")
        return out
    }()

    public static func compile(_ source: String, defines: [String], to output: String) -> String {
        let cc = ProcessInfo.processInfo.environment["CC"] ?? "cc"
        var args = [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-fvisibility=hidden", "-I", include]
        args += defines.map { "-D\($0)" }
        if defines.contains("UNDEFINED_SYMBOL") { args += ["-Wl,--allow-shlib-undefined"] }
        args += [source, "-o", output, "-lpthread"]
        let status = run(args)
        precondition(status == 0, "compiling the test plugin failed: \(args.joined(separator: " "))")
        return output
    }

    @discardableResult
    public static func run(_ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        try! p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// The directory SwiftPM built the tests in, where the built-in plugin libraries are too.
    public static var buildDirectory: String { PluginSearchPath.executableDirectory()! }

    public static var swiftEcho: String {
        let path = buildDirectory + "/libAloftPluginEcho.so"
        precondition(FileManager.default.fileExists(atPath: path), "\(path) is missing: run `swift build` before `swift test`")
        return path
    }

    /// A fresh directory holding copies of the named fixtures (name -> file name in the directory).
    public static func directory(_ files: [String: String]) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-test-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (fixture, name) in files {
            let source = fixture == "swift-echo" ? swiftEcho : compiled[fixture]!
            try! FileManager.default.copyItem(atPath: source, toPath: "\(dir)/\(name)")
        }
        return dir
    }

    public static let quietLogger: Logger = {
        var l = Logger(label: "aloft-test", factory: { _ in SwiftLogNoOpLogHandler() })
        l.logLevel = .critical
        return l
    }()

    public static func host(directory: String, configure: (inout HostConfiguration) -> Void = { _ in },
                     environment: [String: String] = [:], logger: Logger = quietLogger) async -> PluginHost {
        var configuration = HostConfiguration()
        configuration.searchBuiltin = false
        configure(&configuration)
        return await PluginHost.start(configuration: configuration, logger: logger, environment: environment,
                                      directories: [PluginDirectory(path: directory, origin: .config)])
    }
}
