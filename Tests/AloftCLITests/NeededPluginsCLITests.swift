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

    /// A re-run whose every node hits the cache calls no plugin, so it initializes none: with the echo
    /// plugin's init made to fail, the cached re-run still succeeds, and a run that misses the cache fails
    /// its node with the plugin's refusal, found at its first task call.
    @Test func aCachedReRunInitializesNoPluginAndAMissStillNamesARefusal() throws {
        let dir = try TemporaryDirectory.make("deferred-plugins")
        let env = ["XDG_CACHE_HOME": dir + "/cache"]
        let spec = dir + "/cached.yaml"
        try """
        version: 1
        tasks:
          step: {type: echo-sync, inputs: {x: integer, i: integer}, outputs: {x: integer}, cache: {version: "1"}}
        workflows:
          chain:
            inputs: {x: {type: integer, default: 1}}
            outputs: {x: {type: integer, from: $n1.x}}
            nodes:
              - {id: n0, task: step, inputs: {x: $inputs.x, i: 0}}
              - {id: n1, task: step, inputs: {x: $n0.x, i: 1}}

        """.write(toFile: spec, atomically: true, encoding: .utf8)
        let store = ["--store", dir + "/store"]
        let first = try CLI.run(["run", spec] + store + ["-v"], cwd: dir, env: env)
        #expect(first.status == 0, "\(first.stderr)")
        // Whether echo checks tasks was not known before its first initialization: nothing was deferred.
        #expect(!first.stderr.contains("deferred"), "\(first.stderr)")

        try "plugins:\n  config:\n    aloft.echo: {fail_init: echo init ran}\n".write(
            toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        let cached = try CLI.run(["run", spec] + store + ["-v"], cwd: dir, env: env)
        #expect(cached.status == 0, "\(cached.stderr)")
        #expect(cached.stdout.contains("x = 1"), "\(cached.stdout)")
        #expect(cached.stdout.contains("succeeded  n0 (cached)") && cached.stdout.contains("succeeded  n1 (cached)"))
        #expect(cached.stderr.contains("plugin aloft.echo ("), "\(cached.stderr)")
        #expect(cached.stderr.contains("deferred: initialized at its first task call"), "\(cached.stderr)")
        #expect(!cached.stderr.contains("refused"), "\(cached.stderr)")

        let missed = try CLI.run(["run", spec] + store + ["-i", "x=2"], cwd: dir, env: env)
        #expect(missed.status != 0)
        let said = missed.stdout + missed.stderr
        #expect(said.contains("refused at its first task call"), "\(said)")
        #expect(said.contains("echo init ran"), "\(said)")
    }
}
