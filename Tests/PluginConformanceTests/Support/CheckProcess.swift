import AloftTestSupport
import Foundation

/// Runs the built `aloft` as a user would, killed if it outlives `limit` (a hang guard, not a timing check),
/// with both pipes drained at once (`TestProcess`).
enum CheckProcess {
    typealias Ended = TestProcess.Ended

    static func aloft(_ args: [String], limit: Duration = .seconds(120)) throws -> Ended {
        let cwd = try TemporaryDirectory("check-cwd")
        defer { cwd.remove() }
        return try TestProcess.run(
            Fixtures.buildDirectory + "/aloft", args, cwd: cwd.path,
            environment: ["HOME": cwd.path, "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no"],
            limit: limit)
    }
}
