import AloftTestSupport
import Foundation
import Glibc
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

    /// Whether `text` occurs in the file (mapped and searched with memchr: the debug binaries are 25-80 MB).
    static func file(_ path: String, contains text: String) throws -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FixtureError("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { throw FixtureError("cannot stat \(path)") }
        let size = Int(info.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw FixtureError("cannot map \(path): errno \(errno)")
        }
        defer { munmap(base, size) }
        let needle = Array(text.utf8)
        var offset = 0
        while size - offset >= needle.count {
            guard let hit = memchr(base + offset, Int32(needle[0]), size - offset - needle.count + 1) else {
                return false
            }
            if memcmp(hit, needle, needle.count) == 0 { return true }
            offset = base.distance(to: hit) + 1
        }
        return false
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
