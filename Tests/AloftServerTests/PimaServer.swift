import AloftTestSupport
import Foundation

/// A real `aloft serve` on 127.0.0.1 (a free port) over a fresh SQLite store with examples/pima/pima.yaml
/// registered in project `ml` and a launcher token of `ml` whose secret is in `tokenFile` (mode 0600).
/// Unlike ServerFixture, the server keeps the test's PATH: Pima's tasks run `python3` with numpy, which
/// scripts/setup.sh installs for the python3 found on PATH (not necessarily /usr/bin's).
final class PimaServer: @unchecked Sendable {
    let dir: String
    let url: String
    let tokenFile: String
    private let process: Process

    static let spec = Fixtures.repoRoot.appendingPathComponent("examples/pima/pima.yaml").path

    init() throws {
        dir = try TemporaryDirectory.make("aloft-pima-serve")
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = dir
        _ = try Self.cli(["projects", "create", "ml"], dir, environment)
        _ = try Self.cli(["register", Self.spec, "--version", "v1", "--project", "ml"], dir, environment)
        let secret = try Self.cli(["tokens", "create", "--project", "ml", "--role", "launcher"], dir, environment)
        tokenFile = dir + "/token"
        guard
            FileManager.default.createFile(
                atPath: tokenFile, contents: Data(secret.trimmingCharacters(in: .whitespacesAndNewlines).utf8),
                attributes: [.posixPermissions: 0o600])
        else { throw FixtureError("could not write \(tokenFile)") }

        (process, url) = try ServerFixture.start(dir, [], environment)
    }

    var log: String { (try? String(contentsOfFile: dir + "/serve-stderr.log", encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    private static func cli(_ args: [String], _ dir: String, _ environment: [String: String]) throws -> String {
        let r = try TestProcess.run(ServerFixture.aloft, args, cwd: dir, environment: environment)
        guard r.succeeded else { throw FixtureError("aloft \(args.joined(separator: " ")): \(r)") }
        return r.stdout
    }
}
