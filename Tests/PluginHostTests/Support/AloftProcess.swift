import AloftTestSupport
import Foundation

/// Runs the built `aloft` as a user would, killed if it outlives `limit` (a hang guard, not a timing check),
/// with both pipes drained at once (`TestProcess`).
struct AloftProcess {
    typealias Ended = TestProcess.Ended

    static var executable: String { Fixtures.buildDirectory + "/aloft" }

    /// `interruptAfter`: send SIGINT this long after the start (as Ctrl-C would).
    static func run(
        _ args: [String], cwd: String, limit: Duration = .seconds(120), interruptAfter: Duration? = nil
    ) throws -> Ended {
        // A crash is expected in some tests: no slow backtrace.
        try TestProcess.run(
            executable, args, cwd: cwd,
            environment: ["HOME": cwd, "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no"],
            limit: limit, interruptAfter: interruptAfter)
    }
}

extension TestProcess.Ended {
    /// The execution id it printed.
    var executionID: String? {
        output.firstMatch(of: /ex-[0-9]{8}-[0-9]{6}-[a-z0-9]+/).map { String($0.output) }
    }
}
