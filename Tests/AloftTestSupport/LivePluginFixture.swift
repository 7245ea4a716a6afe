import Foundation

/// The live plugin directory's test plugin (Tests/PluginHostTests/Fixtures/live_plugin.c): id "fixture.live",
/// task type "live", version "N.0.0", whose task's one output "version" says which library ran it.
public enum LivePluginFixture {
    public static let source = Fixtures.repoRoot.appendingPathComponent("Tests/PluginHostTests/Fixtures/live_plugin.c")
        .path

    private static let built: Result<[Int: String], any Error> = Result {
        let dir = try TemporaryDirectory.make("live-plugins")
        var out: [Int: String] = [:]
        for version in 1...2 {
            out[version] = try Fixtures.compile(
                source, defines: ["LIVE_VERSION=\(version)"], to: "\(dir)/liblive\(version).so")
        }
        return out
    }

    /// The library of version `version` (1 or 2), compiled once per test run: copy it before loading it.
    public static func library(version: Int) throws -> String {
        guard let path = try built.get()[version] else { throw FixtureError("no live plugin version \(version)") }
        return path
    }

    /// Copies version `version` into `directory` as `name` the way an operator should: written beside it
    /// under a hidden name, then renamed in (a new inode, never a file the host has mapped).
    public static func drop(version: Int, into directory: String, as name: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let staging = "\(directory)/.\(name).part"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.copyItem(atPath: try library(version: version), toPath: staging)
        guard rename(staging, "\(directory)/\(name)") == 0 else {
            throw FixtureError("rename \(staging) -> \(directory)/\(name): errno \(errno)")
        }
    }
}
