import AloftTestSupport
import Foundation
import Testing

/// Issue 18, start-up: `aloft run` initializes only the plugins its spec's task types need, from cached
/// descriptors on a later start, and `aloft plugins list` still lists every plugin as loaded.
@Suite(.timeLimit(.minutes(5))) struct NeededPluginsCLITests {
    /// libcurl and libpq (and the ~25 libraries they pull in) are loaded when first used, not when `aloft`
    /// starts: the dynamic loader, asked what it would load (as ldd does), names neither.
    @Test func aloftStartsWithoutLoadingLibcurlLibpqOrFoundation() throws {
        let r = try CLI.run(["--version"], cwd: NSTemporaryDirectory(), env: ["LD_TRACE_LOADED_OBJECTS": "1"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("libswiftCore"), "not the loader's list: \(r.stdout)")
        #expect(!r.stdout.contains("libcurl") && !r.stdout.contains("libpq"), "\(r.stdout)")
        // Only FoundationEssentials: Foundation and its ICU data took 4-5 ms of every start (the host's
        // modules import FoundationEssentials and AloftSystem; plugins that need Foundation load it themselves).
        #expect(r.stdout.contains("libFoundationEssentials"), "\(r.stdout)")
        #expect(!r.stdout.contains("libFoundation.so") && !r.stdout.contains("ICU"), "\(r.stdout)")
    }

    @Test func runInitializesOnlyEchoAndPluginsListStaysExact() throws {
        let dir = try TemporaryDirectory.make("needed-plugins")
        let env = ["XDG_CACHE_HOME": dir + "/cache"]
        let spec = CLI.repoRoot + "/bench/aloft/one-node.yaml"
        for round in 0..<2 {
            let r = try CLI.run(["run", spec, "--store", dir + "/store\(round)", "-v"], cwd: dir, env: env)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("x = 1"))
            #expect(r.stderr.contains("libAloftPluginSpark.so) not initialized: this command needs none"))
            #expect(r.stderr.contains("libAloftPluginContainer.so) not initialized"))
            #expect(!r.stderr.contains("libAloftPluginEcho.so) not initialized"))
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/cache/aloft/plugin-descriptors.json"))
        let list = try CLI.run(["plugins", "list"], cwd: dir, env: env)
        #expect(list.status == 0)
        let rows = list.stdout.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        for id in ["aloft.echo", "aloft.container", "aloft.spark", "aloft.hive"] {
            #expect(rows.contains { $0.first == id && $0.contains("loaded") }, "\(id) in \(list.stdout)")
        }
        #expect(!list.stdout.contains("not initialized"))
    }
}
