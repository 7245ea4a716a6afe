import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// Issue 20, item 4, end to end: plugin files dropped into a running `aloft serve`'s plugin directory
/// (~/.aloft/plugins of its HOME) are loaded without a restart and their task types launched through the API;
/// a newer version takes new tasks while a task in flight finishes on the old one; a refused file is listed
/// with its reason.
@Suite(.timeLimit(.minutes(5)), .serialized) struct LivePluginServerTests {
    /// `held` keeps running while the file `hold` exists.
    static func spec(hold: String) -> String {
        """
        version: 1
        tasks:
          live:
            type: live
            inputs: {}
            outputs: {version: string}
          held:
            type: live
            config: {hold_while_file: "\(hold)"}
            inputs: {}
            outputs: {version: string}
        """
    }

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

    func launch(_ s: ServerFixture, _ task: String) throws -> String {
        try s.launch(
            #"{"project": "ml", "domain": "development", "name": "\#(task)", "kind": "task", "inputs": {}}"#,
            token: "l")
    }

    /// The version of the plugin that ran execution `id`, once it has ended.
    func versionThatRan(_ s: ServerFixture, _ id: String) throws -> JSON? {
        let done = try s.waitForEnd(id, token: "l")
        #expect(done["phase"] == .string("succeeded"), "\(done) \(s.serverLog)")
        return done["outputs"]?["version"]
    }

    /// Waits until execution `id` has a node running (its task submitted to its plugin).
    func waitForRunningNode(_ s: ServerFixture, _ id: String) throws {
        while try s.call("GET", "/api/v1/executions/\(id)/nodes", token: "l").json["nodes"]?.arrayValue?
            .contains(where: { $0["phase"] == .string("running") }) != true
        {
            usleep(50_000)
        }
    }

    @Test func aBadScanIntervalIsAClearError() throws {
        let dir = try TemporaryDirectory.make("aloft-serve-scan")
        let error = #expect(throws: FixtureError.self) {
            try ServerFixture.cli(["serve", "--address", "127.0.0.1:0", "--plugin-scan-seconds=-1"], dir)
        }
        #expect(error?.description.contains("--plugin-scan-seconds -1.0: expected a number of seconds >= 0") == true)
    }

    @Test func aPluginDroppedIntoTheRunningServerServesItsTaskType() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["l": (["ml"], "launcher")])
        defer { s.stop() }
        let plugins = s.dir + "/.aloft/plugins"
        #expect(try s.call("GET", "/api/v1/plugins", token: "l").json["routes"]?["live"] == nil)

        try LivePluginFixture.drop(version: 1, into: plugins, as: "liblive-1.so")
        _ = try waitForPlugins(s) { $0["routes"]?["live"] == .string("fixture.live") }
        let hold = s.dir + "/hold"
        try Self.spec(hold: hold).write(toFile: s.dir + "/live.yaml", atomically: true, encoding: .utf8)
        try ServerFixture.cli(["register", "live.yaml", "--version", "v1", "--project", "ml"], s.dir)
        #expect(try versionThatRan(s, try launch(s, "live")) == .object(["string": .string("1.0.0")]))

        // A task in flight on version 1 when version 2 arrives.
        #expect(FileManager.default.createFile(atPath: hold, contents: nil))
        let inFlight = try launch(s, "held")
        try waitForRunningNode(s, inFlight)

        // The newer version takes the new tasks; the old one stays loaded, marked superseded.
        try LivePluginFixture.drop(version: 2, into: plugins, as: "liblive-2.so")
        let listing = try waitForPlugins(s) { self.file($0, "liblive-2.so")?["status"] == .string("loaded") }
        #expect(file(listing, "liblive-1.so")?["superseded_by"] == .string(plugins + "/liblive-2.so"))
        #expect(try versionThatRan(s, try launch(s, "live")) == .object(["string": .string("2.0.0")]))
        // The task in flight finishes on the plugin it started on.
        try FileManager.default.removeItem(atPath: hold)
        #expect(try versionThatRan(s, inFlight) == .object(["string": .string("1.0.0")]))

        // A file that is no plugin is listed with its reason.
        try "not a library".write(toFile: plugins + "/libnotes.so", atomically: true, encoding: .utf8)
        let refused = try waitForPlugins(s) { self.file($0, "libnotes.so") != nil }
        #expect(file(refused, "libnotes.so")?["status"] == .string("refused"))
        #expect(file(refused, "libnotes.so")?["refusal"]?["message"] == .string("not a shared library: no ELF header"))
    }
}
