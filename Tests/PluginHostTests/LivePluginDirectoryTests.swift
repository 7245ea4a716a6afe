import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// Issue 20, item 4: plugin files dropped into a running host's directory are found by `rescan()`, probed,
/// loaded and routed; refused ones keep their reason; a newer version of an id takes new lookups while a
/// plugin obtained before keeps working. Nothing is unloaded.
@Suite(.timeLimit(.minutes(5))) struct LivePluginDirectoryTests {
    func record(_ host: PluginHost, _ name: String) -> PluginRecord? {
        host.catalog.records.last { ($0.path as NSString).lastPathComponent == name }
    }

    /// Runs one "live" task on `plugin`; the version of the library that ran it.
    func runLiveTask(_ plugin: any TaskPlugin) async throws -> Literal? {
        let task = EchoTask.make(inputs: [:], outputs: ["version": .string], type: "live")
        return try await TaskDriver.runToCompletion(plugin, task)["version"]
    }

    @Test func aDroppedPluginIsLoadedAndItsTaskTypeRouted() async throws {
        let dir = try Fixtures.directory([:])
        let host = await Fixtures.host(directory: dir)
        defer { host.shutdown() }
        guard case .failure(let before) = host.plugin(forTaskType: "live") else {
            Issue.record("live is served before its plugin was dropped")
            return
        }
        #expect(before.message.contains("no plugin serves task type \"live\""))

        try LivePluginFixture.drop(version: 1, into: dir, as: "liblive.so")
        let looked = await host.rescan()
        #expect(looked.map { ($0.path as NSString).lastPathComponent } == ["liblive.so"])
        #expect(host.router.pluginID(for: "live") == "fixture.live")
        let plugin = try host.plugin(forTaskType: "live").get()
        #expect(try await runLiveTask(plugin) == .string("1.0.0"))
        // Nothing changed: nothing looked at again.
        #expect(await host.rescan().isEmpty)
    }

    @Test func aRefusedFileShowsItsReasonAndIsRetriedOnceItChanges() async throws {
        let dir = try Fixtures.directory([:])
        let host = await Fixtures.host(directory: dir)
        defer { host.shutdown() }
        try FileManager.default.copyItem(atPath: try Fixtures.compiled("NO_ENTRY"), toPath: dir + "/libnoentry.so")
        // A copy still in progress: the first part of the library, written in place.
        let full = try Data(contentsOf: URL(fileURLWithPath: try LivePluginFixture.library(version: 1)))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: dir + "/liblive.so"))
        await host.rescan()
        #expect(record(host, "libnoentry.so")?.refusal == .missingEntrySymbol)
        #expect(record(host, "liblive.so")?.refusal?.kind == "truncated")
        #expect(host.router.explainUnserved("live").contains("liblive.so (truncated"))
        #expect(host.router.pluginID(for: "live") == nil && host.catalog.records.count == 2)

        // The copy ends: its identity changed, so it is looked at again and loaded.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/liblive.so"))
        try handle.seekToEnd()
        try handle.write(contentsOf: full.suffix(from: full.count / 2))
        try handle.close()
        let looked = await host.rescan()
        #expect(looked.map { ($0.path as NSString).lastPathComponent } == ["liblive.so"])
        #expect(record(host, "liblive.so")?.refusal == nil)
        #expect(host.catalog.records.count == 2)  // the refusal was replaced, not kept beside
        #expect(try await runLiveTask(try host.plugin(forTaskType: "live").get()) == .string("1.0.0"))
    }

    @Test func aNewerVersionTakesNewLookupsWhileTheOldPluginFinishesItsCalls() async throws {
        let dir = try Fixtures.directory([:])
        try LivePluginFixture.drop(version: 1, into: dir, as: "liblive-1.so")
        let host = await Fixtures.host(directory: dir)
        defer { host.shutdown() }
        let old = try host.plugin(forTaskType: "live").get()
        #expect(old.descriptor.version == "1.0.0")

        try LivePluginFixture.drop(version: 2, into: dir, as: "liblive-2.so")
        await host.rescan()
        let new = try host.plugin(forTaskType: "live").get()
        #expect(new.descriptor.version == "2.0.0")
        #expect(try await runLiveTask(new) == .string("2.0.0"))
        // A call holding the old plugin still runs on it: never unloaded.
        #expect(try await runLiveTask(old) == .string("1.0.0"))
        #expect(record(host, "liblive-1.so")?.supersededBy == dir + "/liblive-2.so")
        #expect(host.catalog.loaded.count == 2)
        #expect(host.problems.isEmpty)

        // Not newer: refused before init, with the version that runs.
        try LivePluginFixture.drop(version: 1, into: dir, as: "liblive-old.so")
        // Replaced in place (renamed over a loaded file): the loader would return the old library.
        try LivePluginFixture.drop(version: 2, into: dir, as: "liblive-1.so")
        await host.rescan()
        #expect(record(host, "liblive-old.so")?.refusal?.kind == "not-newer")
        #expect(record(host, "liblive-old.so")?.refusal?.description.contains("2.0.0 is already loaded") == true)
        #expect(record(host, "liblive-1.so")?.refusal == .replacedInPlace)
        #expect(try host.plugin(forTaskType: "live").get().descriptor.version == "2.0.0")
    }

    @Test func versionsCompareByTheirNumbers() {
        #expect(PluginVersion.isNewer("1.10.0", than: "1.9.2"))
        #expect(PluginVersion.isNewer("2", than: "1.99"))
        #expect(!PluginVersion.isNewer("1.0.0", than: "1.0"))
        #expect(PluginVersion.isNewer("1.0.0", than: "1.0.0-rc1"))
        #expect(!PluginVersion.isNewer("1.0.0-rc1", than: "1.0.0"))
    }
}
