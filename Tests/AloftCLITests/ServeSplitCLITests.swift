import AloftTestSupport
import Foundation
import Testing

/// `aloft serve` runs `aloft-server` from aloft's own directory, so Hummingbird and NIO are not part of `aloft`
/// (they cost every short command ~9% of its start-up). AloftServerTests run the server itself through
/// `aloft serve`.
@Suite(.timeLimit(.minutes(2))) struct ServeSplitCLITests {
    @Test func aloftHoldsNoHTTPStackAndItsServeHelpIsTheServers() throws {
        let aloft = try Data(contentsOf: URL(fileURLWithPath: CLI.buildDirectory + "/aloft"))
        let server = try Data(contentsOf: URL(fileURLWithPath: CLI.buildDirectory + "/aloft-server"))
        // Swift's mangled names spell each module with its length in front.
        for module in ["11Hummingbird", "7NIOCore"] {
            #expect(aloft.range(of: Data(module.utf8)) == nil, "aloft links \(module)")
            #expect(server.range(of: Data(module.utf8)) != nil, "aloft-server lacks \(module)")
        }
        let help = try CLI.run(["serve", "--help"], cwd: NSTemporaryDirectory())
        #expect(help.status == 0, "\(help.stderr)")
        #expect(help.stdout.contains("USAGE: aloft serve") && help.stdout.contains("--address"), "\(help.stdout)")
        let wrong = try CLI.run(["serve", "--no-such-option"], cwd: NSTemporaryDirectory())
        #expect(wrong.status == 64 && wrong.stderr.contains("--no-such-option"), "\(wrong.stderr)")
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
