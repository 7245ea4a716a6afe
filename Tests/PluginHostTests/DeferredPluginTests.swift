import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// Issue 18, start-up: a command whose task types belong only to cached tasks defers their plugins to the
/// first task call (`PluginHost.start(deferring:)`), when the descriptor cache knows they check no tasks.
@Suite(.timeLimit(.minutes(5))) struct DeferredPluginTests: InstalledPluginTesting {
    func checksTasks(_ dir: String, _ name: String) throws -> Bool? {
        let cache = DescriptorCache(file: dir + "/cache/aloft/plugin-descriptors.json")
        return cache.checksTasks(for: try #require(DescriptorCache.Key(path: dir + "/" + name)))
    }

    @Test func aPluginKnownToCheckNothingIsInitializedAtItsFirstTaskCall() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so"])
        // Never initialized before: whether it checks tasks is unknown, so it is initialized at start.
        let first = await start(dir, taskTypes: ["echo"], deferring: ["echo"])
        first.shutdown()
        #expect(status(record(first, "libc_echo.so")) == "loaded")
        #expect(try checksTasks(dir, "libc_echo.so") == false)

        // Known now: deferred, and still routed. Its failing init shows it was not called at start.
        let host = await start(dir, taskTypes: ["echo"], deferring: ["echo"], configure: failingEchoInit)
        defer { host.shutdown() }
        #expect(status(record(host, "libc_echo.so")) == "deferred")
        #expect(try host.servingPluginID(forTaskType: "echo").get() == "example.c-echo")
        guard case .failure(let early) = host.plugin(forTaskType: "echo") else {
            Issue.record("a deferred plugin was handed out before its initialization")
            return
        }
        #expect(early.message.contains("deferred to its first task call"))

        // The first task call initializes it: the refusal becomes its record, and the answer names it.
        guard case .failure(let refused) = await host.initializedPlugin(forTaskType: "echo") else {
            Issue.record("a plugin whose init fails was handed out")
            return
        }
        #expect(refused.message.contains("refused at its first task call"))
        #expect(refused.message.contains("init ran"))
        #expect(status(record(host, "libc_echo.so")).hasPrefix("refused: init failed: "))
        #expect(host.router.explainUnserved("echo").contains("libc_echo.so (init failed: "))
    }

    @Test func concurrentFirstCallsShareOneInitialization() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so"])
        await start(dir, taskTypes: ["echo"]).shutdown()
        let host = await start(dir, taskTypes: ["echo"], deferring: ["echo"])
        defer { host.shutdown() }
        #expect(status(record(host, "libc_echo.so")) == "deferred")
        let plugins = await withTaskGroup(of: (any TaskPlugin)?.self) { group in
            for _ in 0..<8 { group.addTask { try? await host.initializedPlugin(forTaskType: "echo").get() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let identities = Set(plugins.compactMap { $0.map(ObjectIdentifier.init) })
        #expect(plugins.count == 8 && plugins.allSatisfy { $0 != nil })
        #expect(identities.count == 1)
        #expect(status(record(host, "libc_echo.so")) == "loaded")
        #expect(host.catalog.loaded.count == 1)
        #expect(try host.plugin(forTaskType: "echo").get() === plugins.first!!)
    }

    /// A plugin that checks tasks is needed to compile; one that also serves a type not deferrable is needed
    /// to run: both are initialized at start.
    @Test func aCheckingPluginOrOneServingAnUncachedTypeIsInitializedAtStart() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so"])
        try FileManager.default.copyItem(
            atPath: Fixtures.buildDirectory + "/libAloftPluginHive.so", toPath: dir + "/libhive.so")
        await start(dir, taskTypes: ["echo", "hive"]).shutdown()
        #expect(try checksTasks(dir, "libhive.so") == true)
        #expect(try checksTasks(dir, "libc_echo.so") == false)

        let host = await start(dir, taskTypes: ["echo", "sleep", "hive"], deferring: ["echo", "hive"])
        defer { host.shutdown() }
        #expect(status(record(host, "libhive.so")) == "loaded")
        #expect(status(record(host, "libc_echo.so")) == "loaded")
    }
}
