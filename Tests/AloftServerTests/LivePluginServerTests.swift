import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// Issue 20, item 4, end to end: plugin files dropped into a running `aloft serve`'s plugin directory
/// (~/.aloft/plugins of its HOME) are loaded without a restart and their task types launched through the API;
/// a newer version takes new tasks; a refused file is listed with its reason.
@Suite(.timeLimit(.minutes(5)), .serialized) struct LivePluginServerTests {
    static let spec = """
        version: 1
        tasks:
          live:
            type: live
            inputs: {}
            outputs: {version: string}
        """

    /// The plugins listing, polled until `ready` holds (a server that never shows it hits the time limit).
    func waitForPlugins(_ s: ServerFixture, until ready: (JSON) -> Bool) throws -> JSON {
        while true {
            let listing = try s.call("GET", "/api/v1/plugins", token: "l").json
            if ready(listing) { return listing }
            usleep(100_000)
        }
    }

    func file(_ listing: JSON, _ name: String) -> JSON? {
        listing["plugins"]?.arrayValue?.last { ($0["file"]?.stringValue ?? "").hasSuffix("/" + name) }
    }

    /// Launches the task "live" and returns the version of the plugin that ran it.
    func launchLive(_ s: ServerFixture) throws -> JSON? {
        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "live", "kind": "task", "inputs": {}}"#, token: "l")
        let done = try s.waitForEnd(id, token: "l")
        #expect(done["phase"] == .string("succeeded"), "\(done) \(s.serverLog)")
        return done["outputs"]?["version"]
    }

    @Test func aPluginDroppedIntoTheRunningServerServesItsTaskType() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["l": (["ml"], "launcher")])
        defer { s.stop() }
        let plugins = s.dir + "/.aloft/plugins"
        #expect(try s.call("GET", "/api/v1/plugins", token: "l").json["routes"]?["live"] == nil)

        try LivePluginFixture.drop(version: 1, into: plugins, as: "liblive-1.so")
        _ = try waitForPlugins(s) { $0["routes"]?["live"] == .string("fixture.live") }
        try Self.spec.write(toFile: s.dir + "/live.yaml", atomically: true, encoding: .utf8)
        try ServerFixture.cli(["register", "live.yaml", "--version", "v1", "--project", "ml"], s.dir)
        #expect(try launchLive(s) == .object(["string": .string("1.0.0")]))

        // A newer version takes the new tasks; the old one stays loaded, marked superseded.
        try LivePluginFixture.drop(version: 2, into: plugins, as: "liblive-2.so")
        let listing = try waitForPlugins(s) { self.file($0, "liblive-2.so")?["status"] == .string("loaded") }
        #expect(file(listing, "liblive-1.so")?["superseded_by"] == .string(plugins + "/liblive-2.so"))
        #expect(try launchLive(s) == .object(["string": .string("2.0.0")]))

        // A file that is no plugin is listed with its reason.
        try "not a library".write(toFile: plugins + "/libnotes.so", atomically: true, encoding: .utf8)
        let refused = try waitForPlugins(s) { self.file($0, "libnotes.so") != nil }
        #expect(file(refused, "libnotes.so")?["status"] == .string("refused"))
        #expect(file(refused, "libnotes.so")?["refusal"]?["message"] == .string("not a shared library: no ELF header"))
    }
}
