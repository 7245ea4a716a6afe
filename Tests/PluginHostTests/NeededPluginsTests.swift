import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// Issue 18, start-up: a host started for some task types initializes only the plugins serving them, routes
/// by every file's descriptor (cached by file identity), and lists every file as it would with all loaded.
@Suite(.timeLimit(.minutes(5))) struct NeededPluginsTests: InstalledPluginTesting {
    @Test func onlyThePluginsOfTheNeededTypesAreInitialized() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so", "GOOD_FIXTURE": "libgood.so"])
        let forFixture = await start(dir, taskTypes: ["fixture"], configure: failingEchoInit)
        defer { forFixture.shutdown() }
        #expect(status(record(forFixture, "libc_echo.so")) == "not-needed")
        #expect(status(record(forFixture, "libgood.so")) == "loaded")
        #expect(forFixture.catalog.loaded.map(\.id) == ["fixture.bad"])
        // Still routed: the type's plugin is known, and asking for it says it was not initialized.
        #expect(forFixture.router.pluginID(for: "echo") == "example.c-echo")
        guard case .failure(let error) = forFixture.plugin(forTaskType: "echo") else {
            Issue.record("echo has a plugin in a host started for fixture")
            return
        }
        #expect(error.message.contains("did not initialize"))

        let forEcho = await start(dir, taskTypes: ["echo"], configure: failingEchoInit)
        defer { forEcho.shutdown() }
        #expect(status(record(forEcho, "libc_echo.so")).hasPrefix("refused: init failed: "))
        #expect(status(record(forEcho, "libc_echo.so")).contains("init ran"))
        #expect(status(record(forEcho, "libgood.so")) == "not-needed")
    }

    @Test func aCachedStartListsEveryFileAsAFullStartDoes() async throws {
        let dir = try Fixtures.directory([
            "c-echo": "libc_echo.so", "GOOD_FIXTURE": "libgood.so", "MAJOR_2": "libmajor.so",
            "BAD_ID": "libbad_id.so",
        ])
        let enableFixtureOnly = { (c: inout HostConfiguration) in c.enabled = ["fixture.bad"] }
        let full = await start(dir, taskTypes: nil, configure: enableFixtureOnly)
        full.shutdown()
        #expect(FileManager.default.fileExists(atPath: dir + "/cache/aloft/plugin-descriptors.json"))
        let cached = await start(dir, taskTypes: ["nothing-needs-this"], configure: enableFixtureOnly)
        defer { cached.shutdown() }
        #expect(cached.catalog.records.map(\.path) == full.catalog.records.map(\.path))
        #expect(cached.catalog.records.map(\.descriptor) == full.catalog.records.map(\.descriptor))
        #expect(status(record(cached, "libc_echo.so")) == "disabled")
        #expect(status(record(cached, "libgood.so")) == "not-needed")
        #expect(status(record(cached, "libmajor.so")) == status(record(full, "libmajor.so")))
        #expect(status(record(cached, "libbad_id.so")) == status(record(full, "libbad_id.so")))
        #expect(record(cached, "libmajor.so").refusal != nil)
        #expect(cached.problems == full.problems)
        #expect(cached.router.servedTypes == ["fixture"])
    }

    /// The second start reads the descriptor from the cache (a planted one shows that no dlopen happened);
    /// a file with a new modification time, or replaced by another library, is read again.
    @Test func descriptorsAreCachedByFileIdentityAndAChangedFileIsReadAgain() async throws {
        let dir = try Fixtures.directory(["GOOD_FIXTURE": "libp.so"])
        let path = dir + "/libp.so"
        let first = await start(dir, taskTypes: ["fixture"])
        first.shutdown()
        #expect(record(first, "libp.so").descriptor?.id == "fixture.bad")

        let cache = DescriptorCache(file: dir + "/cache/aloft/plugin-descriptors.json")
        var planted = try #require(record(first, "libp.so").descriptor)
        planted.id = "planted"
        cache.record([(try #require(DescriptorCache.Key(path: path)), planted, nil)])
        let fromCache = await start(dir, taskTypes: ["other"])
        fromCache.shutdown()
        #expect(record(fromCache, "libp.so").descriptor?.id == "planted")

        // Touched: a new modification time is a new file.
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
        let touched = await start(dir, taskTypes: ["other"])
        touched.shutdown()
        #expect(record(touched, "libp.so").descriptor?.id == "fixture.bad")

        // Replaced by another library (another size and inode): the entry of the old identity is not used.
        // (This process maps the path once, so dlopen answers with the library it mapped first: a new process
        // would read the new file's own descriptor.)
        cache.record([(try #require(DescriptorCache.Key(path: path)), planted, nil)])
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: Fixtures.compiled("c-echo"), toPath: path)
        let replaced = await start(dir, taskTypes: ["other"])
        replaced.shutdown()
        #expect(record(replaced, "libp.so").descriptor?.id != "planted")
        #expect(record(replaced, "libp.so").descriptor != nil)
    }

    /// The cache keeps what it is for: entries of files that are gone (a test's or a benchmark's temporary
    /// plugins) are dropped when it is next written; a live file's entry stays.
    @Test func theEntriesOfDeletedFilesAreDroppedWhenTheCacheIsWritten() async throws {
        let dir = try Fixtures.directory(["GOOD_FIXTURE": "libp.so", "c-echo": "libgone.so"])
        let cache = DescriptorCache(file: dir + "/cache/aloft/plugin-descriptors.json")
        let host = await start(dir, taskTypes: nil)
        host.shutdown()
        let descriptor = try #require(record(host, "libp.so").descriptor)
        let (live, gone) = (
            try #require(DescriptorCache.Key(path: dir + "/libp.so")),
            try #require(DescriptorCache.Key(path: dir + "/libgone.so"))
        )
        cache.record([(live, descriptor, nil), (gone, descriptor, nil)])
        try FileManager.default.removeItem(atPath: dir + "/libgone.so")
        let other = try #require(DescriptorCache.Key(path: Fixtures.compiled("c-echo")))
        cache.record([(other, descriptor, nil)])
        let reread = DescriptorCache(file: cache.file)
        #expect(reread.descriptor(for: live)?.id == descriptor.id)
        #expect(reread.descriptor(for: other)?.id == descriptor.id)
        #expect(reread.descriptor(for: gone) == nil)
        #expect(!(try String(contentsOfFile: cache.file, encoding: .utf8)).contains("libgone.so"))
    }

    @Test func aRefusedFileStillExplainsAnUnservedType() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so", "MAJOR_2": "libmajor.so"])
        let warm = await start(dir, taskTypes: nil)
        warm.shutdown()
        // Refused at init (its types known): it explains them.
        let host = await start(dir, taskTypes: ["echo"], configure: failingEchoInit)
        defer { host.shutdown() }
        guard case .failure(let error) = host.plugin(forTaskType: "echo") else {
            Issue.record("echo is served by a plugin whose init failed")
            return
        }
        #expect(error.message.contains("served only by refused plugin files"))
        #expect(error.message.contains("libc_echo.so (init failed: "))
        // Refused before its descriptor was read: named for any type nobody serves.
        #expect(host.router.explainUnserved("other").contains("libmajor.so"))
    }
}
