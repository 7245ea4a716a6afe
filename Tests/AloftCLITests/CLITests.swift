import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// Runs the `aloft` executable SwiftPM built, with a private HOME and plugin path.
struct CLI {
    static var buildDirectory: String { Fixtures.buildDirectory }
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    typealias Result = TestProcess.Ended

    /// Runs `aloft ARGS` to its end (both pipes drained at once), killed if it outlives `limit`. HOME is a
    /// fresh path, removed afterwards.
    static func run(
        _ args: [String], cwd: String? = nil, env: [String: String] = [:], limit: Duration = .seconds(120)
    ) throws -> Result {
        let aloft = buildDirectory + "/aloft"
        guard FileManager.default.isExecutableFile(atPath: aloft) else {
            throw FixtureError("\(aloft) is missing: run `swift build` before `swift test`")
        }
        let home = try TemporaryDirectory.runRoot.get() + "/home-\(UUID())"
        defer { try? FileManager.default.removeItem(atPath: home) }
        return try TestProcess.run(
            aloft, args, cwd: cwd, environment: ["HOME": home, "PATH": "/usr/bin:/bin"].merging(env) { $1 },
            limit: limit)
    }

    /// Starts `aloft ARGS` in the background (for tests that kill or abort it); stdout is captured when
    /// `capture` is given, discarded otherwise.
    static func start(
        _ args: [String], cwd: String, capture: Pipe? = nil, env: [String: String] = [:]
    ) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: buildDirectory + "/aloft")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.environment = ["HOME": cwd, "PATH": "/usr/bin:/bin"].merging(env) { _, given in given }
        p.standardOutput = capture ?? FileHandle.nullDevice
        // Kept for a failing test to show (background runs are killed, so nothing else would say why they ended).
        _ = FileManager.default.createFile(atPath: cwd + "/aloft-stderr.log", contents: nil)
        p.standardError = FileHandle(forWritingAtPath: cwd + "/aloft-stderr.log")
        try p.run()
        return p
    }

    /// The C echo example built into a fresh directory.
    static func cEchoDirectory() throws -> String {
        try Fixtures.directory(["c-echo": "libc_echo.so"])
    }
}

@Suite(.timeLimit(.minutes(5))) struct CLITests {
    @Test func versionNamesTheABI() throws {
        let r = try CLI.run(["version"])
        #expect(r.status == 0)
        #expect(r.stdout == "aloft 0.1.0\nplugin ABI 1.1\n")
    }

    @Test func listShowsBuiltinPluginsAndRoutes() throws {
        let r = try CLI.run(["plugins", "list"], cwd: NSTemporaryDirectory())
        #expect(r.status == 0)
        let rows = r.stdout.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        #expect(rows.contains { $0.prefix(5) == ["aloft.echo", "1.0.0", "1.1", "echo,noop,echo-sync", "loaded"] })
        #expect(
            rows.contains { $0.prefix(5) == ["aloft.container", "0.2.0", "1.1", "container,raw-container", "loaded"] })
        #expect(r.stdout.contains("echo -> aloft.echo  (only claimant)"))
        #expect(r.stdout.contains("container -> aloft.container  (only claimant)"))
    }

    @Test func aConflictExitsOneAndNamesBothPluginsThenARouteInAloftYamlSettlesIt() throws {
        let dir = try CLI.cEchoDirectory()
        let conflicted = try CLI.run(["plugins", "list"], cwd: dir, env: ["ALOFT_PLUGIN_PATH": dir])
        #expect(conflicted.status == 1)
        #expect(
            conflicted.stdout.contains(
                "Problems:\n  - task type \"echo\" is claimed by example.c-echo (\(dir)/libc_echo.so) and aloft.echo (")
        )

        try "plugins:\n  routes:\n    echo: example.c-echo\n".write(
            toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        let routed = try CLI.run(["plugins", "list", "--json"], cwd: dir, env: ["ALOFT_PLUGIN_PATH": dir])
        #expect(routed.status == 0)
        let json = try JSONParser.parse(routed.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(json["routes"]?["echo"] == .string("example.c-echo"))
        #expect(json["routes"]?["noop"] == .string("aloft.echo"))
        #expect(json["problems"] == .array([]))
        let ids = json["plugins"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(
            ids == [
                "example.c-echo", "aloft.bigquery", "aloft.container", "aloft.echo", "aloft.hive", "aloft.sagemaker",
                "aloft.spark",
            ])
    }

    @Test func refusedFilesAreListedWithTheirReason() throws {
        let dir = try CLI.cEchoDirectory()
        try "text".write(toFile: dir + "/libjunk.so", atomically: true, encoding: .utf8)
        let r = try CLI.run(
            ["plugins", "list", "--config", dir + "/none.yaml"], cwd: dir, env: ["ALOFT_PLUGIN_PATH": dir])
        #expect(r.status == 1)
        #expect(r.stderr.contains("none.yaml:0:0: cannot read the config file"))
        let listed = try CLI.run(["plugins", "list"], cwd: dir, env: ["ALOFT_PLUGIN_PATH": dir])
        #expect(listed.stdout.contains("refused: not a shared library: no ELF header"))
        #expect(listed.stdout.contains(dir + "/libjunk.so"))
    }

    @Test func inspectValidatesOneFileWithoutEnablingIt() throws {
        let dir = try CLI.cEchoDirectory()
        let ok = try CLI.run(["plugins", "inspect", dir + "/libc_echo.so"])
        #expect(ok.status == 0)
        #expect(
            ok.stdout == """
                file:        \(dir)/libc_echo.so
                id:          example.c-echo
                version:     1.0.0
                ABI:         1.1
                task types:  echo, sleep, c-echo-sync
                description: C example: outputs are the inputs of the same name
                status:      valid (not initialized)

                """)
        let initFails = try CLI.run([
            "plugins", "inspect", dir + "/libc_echo.so", "--init", "--plugin-config", #"{"fail_init":"x"}"#, "--json",
        ])
        #expect(initFails.status == 1)
        let json = try JSONParser.parse(initFails.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(json["refusal"]?["kind"] == .string("init-failed"))
        let missing = try CLI.run(["plugins", "inspect", dir + "/nope.so"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.so: no such file"))
    }

    @Test func badConfigNamesFileLineAndCause() throws {
        let dir = try CLI.cEchoDirectory()
        try "plugins:\n  treads: 4\n".write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["plugins", "list"], cwd: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(dir)/aloft.yaml:2:3: unknown setting \"treads\" in plugins"))
    }
}
