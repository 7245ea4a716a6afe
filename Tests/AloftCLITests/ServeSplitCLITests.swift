import AloftTestSupport
import Foundation
import Testing

/// `aloft serve` runs `aloft-server` from aloft's own directory, so Hummingbird and NIO are not part of `aloft`
/// (they cost every short command ~9% of its start-up). AloftServerTests run the server itself through
/// `aloft serve`.
@Suite(.timeLimit(.minutes(5))) struct ServeSplitCLITests {
    @Test func aloftHoldsNoHTTPStackAndItsServeHelpIsTheServers() throws {
        let aloft = CLI.buildDirectory + "/aloft"
        let server = CLI.buildDirectory + "/aloft-server"
        // Swift's mangled names spell each module with its length in front.
        for module in ["11Hummingbird", "7NIOCore"] {
            #expect(try !Self.file(aloft, contains: module), "aloft links \(module)")
            #expect(try Self.file(server, contains: module), "aloft-server lacks \(module)")
        }
        let help = try CLI.run(["serve", "--help"], cwd: NSTemporaryDirectory())
        #expect(help.status == 0, "\(help.stderr)")
        #expect(help.stdout.contains("USAGE: aloft serve") && help.stdout.contains("--address"), "\(help.stdout)")
        let wrong = try CLI.run(["serve", "--no-such-option"], cwd: NSTemporaryDirectory())
        #expect(wrong.status == 64 && wrong.stderr.contains("--no-such-option"), "\(wrong.stderr)")
    }

    /// Whether `text` occurs in the file (`grep -F`: the debug binaries are 25-80 MB).
    static func file(_ path: String, contains text: String) throws -> Bool {
        let ended = try TestProcess.run(["grep", "-qF", "--", text, path], limit: .seconds(120))
        guard !ended.signalled, !ended.killedAtLimit, ended.status == 0 || ended.status == 1 else {
            throw FixtureError("grep for \(text) in \(path) failed: \(ended)")
        }
        return ended.status == 0
    }

    @Test func anAloftWithoutItsServerSaysWhatIsMissing() throws {
        let dir = try TemporaryDirectory.make("serve-split")
        let alone = dir + "/aloft"
        try FileManager.default.copyItem(atPath: CLI.buildDirectory + "/aloft", toPath: alone)
        let r = try TestProcess.run(
            alone, ["serve", "--address", "127.0.0.1:0"], cwd: dir,
            environment: ["HOME": dir, "PATH": "/usr/bin:/bin"],
            limit: .seconds(60))
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(dir)/aloft-server, which is missing or not executable"), "\(r.stderr)")
    }
}
