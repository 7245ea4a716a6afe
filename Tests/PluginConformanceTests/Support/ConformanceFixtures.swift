import AloftTestSupport
import Foundation
import Logging
import PluginConformance
import PluginHost

/// The plugins the conformance tests check: the conformance fixture's variants (Fixtures/conformance_plugin.c,
/// one broken rule each), the C, Swift and Rust echo examples; and a way to run the checks on them.
enum ConformanceFixtures {
    static let source = Fixtures.repoRoot.appendingPathComponent(
        "Tests/PluginConformanceTests/Fixtures/conformance_plugin.c"
    ).path

    /// Where the fixtures are built, once per test run (removed with the run's temporary directories when the
    /// test process exits: the libraries are needed until the last test).
    static let buildDirectory: Result<String, any Error> = Result {
        try TemporaryDirectory.make("conformance-fixtures")
    }

    static let variants = [
        "NOT_IDEMPOTENT", "NO_REATTACH", "ABORT_NOT_IDEMPOTENT", "FINALIZE_DOUBLE_FREE", "WRONG_OUTPUTS",
        "HANG_POLL", "NOT_THREAD_SAFE",
    ]

    /// Variant name (or "CONFORMING") -> its library, built once; or why they could not be built.
    private static let built: Result<[String: String], any Error> = Result {
        let dir = try buildDirectory.get()
        var out = ["CONFORMING": try Fixtures.compile(source, defines: [], to: "\(dir)/libconforming.so")]
        for variant in variants {
            out[variant] = try Fixtures.compile(source, defines: [variant], to: "\(dir)/lib\(variant.lowercased()).so")
        }
        return out
    }

    /// The library of a variant (or "CONFORMING"); throws when the fixtures could not be built.
    static func compiled(_ variant: String) throws -> String {
        guard let path = try built.get()[variant] else { throw FixtureError("no conformance fixture named \(variant)") }
        return path
    }

    /// examples/plugins/rust-echo built with cargo (offline); nil without cargo.
    static let rustEcho: String? = {
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/cargo" }
            + [NSHomeDirectory() + "/.cargo/bin/cargo", "/root/.cargo/bin/cargo", "/usr/bin/cargo"]
        guard let cargo = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
            let dir = try? buildDirectory.get()
        else { return nil }
        let crate = Fixtures.repoRoot.path + "/examples/plugins/rust-echo"
        let target = dir + "/rust-target"
        let status = try? Fixtures.run([
            cargo, "build", "--release", "--offline", "--quiet", "--manifest-path", crate + "/Cargo.toml",
            "--target-dir", target,
        ])
        return status == 0 ? target + "/release/libaloft_rust_echo.so" : nil
    }()

    /// Runs the checks on `path` in this process, as `aloft plugins check` does.
    static func check(
        _ path: String, budget: Duration = .seconds(5), tasks: Int = 32,
        subjects: [ConformanceSubject]? = nil
    ) async throws -> ConformanceReport {
        let options = ConformanceOptions(
            callBudget: budget, initBudget: .seconds(10), taskTimeout: .seconds(30), concurrentTasks: tasks)
        return try await ConformanceRun.check(
            path: path, subjects: subjects, options: options,
            services: HostServices(logger: Fixtures.quietLogger),
            probe: .standard(environment: ProcessInfo.processInfo.environment))
    }
}

extension ConformanceReport {
    /// The checks that failed, by rule id.
    var failedRules: Set<String> { Set(checks.filter { $0.status == .fail }.map(\.rule.id)) }

    func check(_ name: String) -> CheckResult? { checks.first { $0.name == name } }
}
