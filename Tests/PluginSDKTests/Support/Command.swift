import AloftTestSupport
import Foundation

/// Runs a program to its end with `TestProcess` (both pipes read at once, killed when it outlives `limit`).
enum Command {
    typealias Ended = TestProcess.Ended

    /// `args[0]` is looked up on PATH (through /usr/bin/env) unless it is a path; the test's environment
    /// with `environment` over it.
    static func run(
        _ args: [String], cwd: String? = nil, environment: [String: String] = [:],
        limit: Duration = .seconds(300)
    ) throws -> Ended {
        try TestProcess.run(
            args, cwd: cwd, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, limit: limit)
    }

    /// The built `aloft` the tests drive.
    static var aloft: String { Fixtures.buildDirectory + "/aloft" }
}
