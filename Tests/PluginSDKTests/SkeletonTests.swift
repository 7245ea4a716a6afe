import AloftTestSupport
import Foundation
import Testing

/// `aloft plugins new`: each language's skeleton, written into a temporary directory, builds with its one
/// command and runs a one-node workflow through the built `aloft` with the library in a plugins directory.
@Suite struct SkeletonTests {
    /// Writes the skeleton, builds it, runs its workflow; returns what `aloft run` said.
    func generateBuildAndRun(
        lang: String, name: String, build: [String], library: String,
        buildEnvironment: [String: String] = [:], buildLimit: Duration = .seconds(300)
    ) throws -> Command.Ended? {
        let dir = try TemporaryDirectory("skeleton-\(lang)")
        defer { dir.remove() }
        let project = dir.path + "/project"
        let new = try Command.run([Command.aloft, "plugins", "new", "--lang", lang, name, "--dir", project])
        try #require(new.succeeded, "\(new)")
        #expect(new.stdout.contains("build: cd \(project) && "), "\(new)")
        #expect(FileManager.default.fileExists(atPath: project + "/README.md"))

        let built = try Command.run(build, cwd: project, environment: buildEnvironment, limit: buildLimit)
        try #require(built.succeeded, "\(built)")
        try FileManager.default.createDirectory(atPath: dir.path + "/run/plugins", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: project + "/" + library,
            toPath: dir.path + "/run/plugins/" + (library as NSString).lastPathComponent)
        try "plugins:\n  paths: [./plugins]\n  builtin: false\n".write(
            toFile: dir.path + "/run/aloft.yaml", atomically: true, encoding: .utf8)
        let isolated = ["HOME": dir.path + "/run", "XDG_CACHE_HOME": dir.path + "/run/.cache"]
        return try Command.run(
            [
                Command.aloft, "run", project + "/workflow.yaml", "-i", "x=3", "-i", "message=hi there", "--store",
                "store",
            ],
            cwd: dir.path + "/run", environment: isolated, limit: .seconds(120))
    }

    func expectEchoed(_ run: Command.Ended?) {
        guard let run else { return }
        #expect(run.succeeded, "\(run)")
        #expect(run.stdout.contains("x = 3"), "\(run)")
        #expect(run.stdout.contains("message = \"hi there\""), "\(run)")
    }

    @Test(.timeLimit(.minutes(5)))
    func aCSkeletonBuildsWithMakeAndRunsAWorkflow() throws {
        expectEchoed(try generateBuildAndRun(lang: "c", name: "c-skel", build: ["make"], library: "libc_skel.so"))
    }

    @Test(.timeLimit(.minutes(5)))
    func aRustSkeletonBuildsWithCargoAndRunsAWorkflow() throws {
        let cargo = try #require(Self.cargo(), "cargo (Rust) is needed for the Rust skeleton; install it with rustup")
        expectEchoed(
            try generateBuildAndRun(
                lang: "rust", name: "rust-skel", build: [cargo, "build", "--release", "--offline"],
                library: "target/release/librust_skel.so"))
    }

    @Test(.timeLimit(.minutes(20)))
    func aSwiftSkeletonBuildsOnPluginKitAndRunsAWorkflow() throws {
        let swift = try #require(Self.swift(), "swift is needed for the Swift skeleton")
        expectEchoed(
            try generateBuildAndRun(
                lang: "swift", name: "swift-skel", build: [swift, "build"],
                library: ".build/debug/libSwiftSkel.so", buildLimit: .seconds(900)))
    }

    @Test(.timeLimit(.minutes(5)))
    func aBadNameOrAFullDirectoryIsRefused() throws {
        let dir = try TemporaryDirectory("skeleton-refusals")
        defer { dir.remove() }
        let bad = try Command.run([
            Command.aloft, "plugins", "new", "--lang", "c", "Bad Name", "--dir", dir.path + "/x",
        ])
        #expect(bad.status == 64, "\(bad)")
        #expect(bad.stderr.contains("cannot name a plugin"), "\(bad)")
        try "keep".write(toFile: dir.path + "/file", atomically: true, encoding: .utf8)
        let full = try Command.run([Command.aloft, "plugins", "new", "--lang", "c", "ok", "--dir", dir.path])
        #expect(full.status == 1, "\(full)")
        #expect(full.stderr.contains("exists and is not empty"), "\(full)")
    }

    static func cargo() -> String? {
        executable("cargo", extra: [NSHomeDirectory() + "/.cargo/bin/cargo", "/root/.cargo/bin/cargo"])
    }

    static func swift() -> String? { executable("swift", extra: ["/opt/swift/usr/bin/swift"]) }

    static func executable(_ name: String, extra: [String]) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
        return (path + extra).first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
