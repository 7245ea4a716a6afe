import AloftTestSupport
import Foundation
import Testing

/// `aloft plugins sdk`: the header for third parties, found beside the running `aloft`.
@Suite struct SDKCommandTests {
    @Test(.timeLimit(.minutes(5)))
    func cflagsNameTheDirectoryThatHoldsTheHeader() throws {
        let run = try Command.run([Command.aloft, "plugins", "sdk", "--cflags"])
        #expect(run.succeeded, "\(run)")
        let flags = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(flags == "-I" + Fixtures.include)
        #expect(FileManager.default.fileExists(atPath: String(flags.dropFirst(2)) + "/aloft/kit.h"))
    }

    @Test(.timeLimit(.minutes(5)))
    func aPkgConfigFileGivesTheSameFlagsAndBuildsAPlugin() throws {
        let dir = try TemporaryDirectory("pkgconfig")
        defer { dir.remove() }
        let write = try Command.run([Command.aloft, "plugins", "sdk", "--pkg-config", dir.path + "/pc"])
        #expect(write.succeeded, "\(write)")
        #expect(write.stdout.contains(dir.path + "/pc/aloft-plugin.pc"))
        let cflags = try Command.run(
            ["pkg-config", "--cflags", "aloft-plugin"], environment: ["PKG_CONFIG_PATH": dir.path + "/pc"])
        #expect(cflags.succeeded, "\(cflags)")
        #expect(cflags.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "-I" + Fixtures.include)
        let version = try Command.run(
            ["pkg-config", "--modversion", "aloft-plugin"], environment: ["PKG_CONFIG_PATH": dir.path + "/pc"])
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")

        // The C example builds with those flags alone.
        let flags = cflags.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let build = try Command.run([
            "cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-fvisibility=hidden", flags,
            Fixtures.cEchoSource, "-o", dir.path + "/libc_echo.so", "-lpthread",
        ])
        #expect(build.succeeded, "\(build)")
    }

    @Test(.timeLimit(.minutes(5)))
    func withoutOptionsItSaysWhereEverythingIs() throws {
        let run = try Command.run([Command.aloft, "plugins", "sdk"])
        #expect(run.succeeded, "\(run)")
        #expect(run.stdout.contains("headers:    \(Fixtures.include)"), "\(run)")
        #expect(run.stdout.contains("rust crate: \(Fixtures.repoRoot.path)/sdk/rust/aloft-plugin"), "\(run)")
        #expect(run.stdout.contains("source:     \(Fixtures.repoRoot.path)"), "\(run)")
    }
}
