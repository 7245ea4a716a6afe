import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// Every refusal kind, each with its message, and the rule that one bad file never stops the others.
@Suite(.timeLimit(.minutes(5))) struct LoaderRefusalTests {
    func record(_ host: PluginHost, _ name: String) -> PluginRecord {
        host.catalog.records.first { ($0.path as NSString).lastPathComponent == name }!
    }

    @Test func eachBadFileIsRefusedWithItsReasonAndTheGoodOneStillServes() async throws {
        let dir = try Fixtures.directory([
            "c-echo": "libc_echo.so", "NO_ENTRY": "libno_entry.so", "NULL_DESCRIPTOR": "libnull.so",
            "MAJOR_2": "libmajor.so", "MINOR_NEWER": "libminor.so", "BAD_ID": "libbad_id.so",
            "NO_TYPES": "libno_types.so", "UNDEFINED_SYMBOL": "libundefined.so",
        ])
        try "not a library".write(toFile: "\(dir)/libtext.so", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(dir)/libdir.so", withIntermediateDirectories: true)
        let host = await Fixtures.host(directory: dir)
        defer { host.shutdown() }

        #expect(record(host, "libtext.so").refusal == .notSharedLibrary("no ELF header"))
        #expect(record(host, "libdir.so").refusal == .notSharedLibrary("not a regular file"))
        #expect(record(host, "libno_entry.so").refusal == .missingEntrySymbol)
        #expect(record(host, "libnull.so").refusal == .declined)
        #expect(record(host, "libmajor.so").refusal == .abiMajorMismatch(plugin: 2, host: 1))
        #expect(record(host, "libminor.so").refusal == .abiMinorNewer(plugin: "1.2", host: "1.1"))
        #expect(
            record(host, "libbad_id.so").refusal
                == .malformedDescriptor("id \"Has Spaces\" must match [a-z0-9._-]+ (at most 128 characters)"))
        #expect(
            record(host, "libno_types.so").refusal == .malformedDescriptor("plugin fixture.bad claims no task types"))
        guard case .loadFailed(let why) = record(host, "libundefined.so").refusal else {
            Issue.record("undefined symbol not refused as a load failure")
            return
        }
        #expect(why.contains("undefined symbol: aloft_fixture_symbol_that_does_not_exist"))

        // The messages people read.
        #expect(
            PluginRefusal.missingEntrySymbol.description
                == "missing entry symbol aloft_plugin_entry (is it an Aloft plugin? export it with ALOFT_EXPORT)")
        #expect(
            PluginRefusal.abiMinorNewer(plugin: "1.2", host: "1.1").description
                == "built for plugin ABI 1.2, newer than this host's 1.1: upgrade Aloft or rebuild the plugin against ABI 1.1"
        )
        #expect(
            PluginRefusal.declined.description.hasPrefix(
                "the entry function returned NULL: the plugin declined this host"))

        // Nine refusals, and the good plugin loaded and works.
        #expect(host.catalog.records.filter { $0.refusal != nil }.count == 9)
        let echo = try host.plugin(forTaskType: "echo").get()
        #expect(echo.id == "example.c-echo")
        let outputs = try await TaskDriver.runToCompletion(echo, EchoTask.make(inputs: ["x": .integer(3)]))
        #expect(outputs == ["x": .integer(3)])
    }

    @Test func initFailureCarriesThePluginsMessage() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so"])
        let host = await Fixtures.host(directory: dir) {
            $0.pluginConfig["example.c-echo"] = .object(["fail_init": .string("no license")])
        }
        defer { host.shutdown() }
        #expect(
            record(host, "libc_echo.so").refusal
                == .initFailed(code: "InitRefused", message: "refusing to start: \"no license\""))
        #expect(
            record(host, "libc_echo.so").refusal?.description
                == "init failed: refusing to start: \"no license\" [InitRefused]")
        #expect(host.catalog.loaded.isEmpty)
    }

    @Test func initThatOverrunsItsBudgetIsRefused() async throws {
        let dir = try Fixtures.directory(["SLOW_INIT": "libslow.so", "c-echo": "libc_echo.so"])
        // A budget the good echo's probe and init meet on a loaded machine; the slow one's init takes longer.
        let host = await Fixtures.host(directory: dir) { $0.callOptions.initBudget = .seconds(2) }
        defer { host.shutdown() }
        // The probe finds it first (the in-process refusal: ProbeTests.verdictsAreCachedByFileIdentity).
        #expect(record(host, "libslow.so").refusal == .probeFailed(.timedOut(seconds: 2, stage: .initializing)))
        #expect(
            record(host, "libslow.so").refusal?.description
                == "did not finish calling init within 2.0 s, in a probe process (killed)")
        #expect(PluginRefusal.initOverran(seconds: 0.3).description == "init did not return within 0.3 s")
        #expect(record(host, "libc_echo.so").refusal == nil)
    }

    @Test func duplicateIdsAndTheSameFileTwiceAreRefused() async throws {
        let dir = try Fixtures.directory(["c-echo": "liba_echo.so"])
        try FileManager.default.copyItem(atPath: "\(dir)/liba_echo.so", toPath: "\(dir)/libb_echo.so")
        try FileManager.default.createSymbolicLink(
            atPath: "\(dir)/libc_link.so", withDestinationPath: "\(dir)/liba_echo.so")
        let host = await Fixtures.host(directory: dir)
        defer { host.shutdown() }
        #expect(record(host, "liba_echo.so").refusal == nil)
        #expect(
            record(host, "libb_echo.so").refusal
                == .duplicateID(id: "example.c-echo", loadedFrom: "\(dir)/liba_echo.so"))
        #expect(record(host, "libc_link.so").refusal == .sameFile(as: "\(dir)/liba_echo.so"))
    }

    @Test func disabledPluginsAreNotInitializedAndUnknownEnabledIdsAreReported() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so", "GOOD_FIXTURE": "libgood.so"])
        let host = await Fixtures.host(directory: dir) { $0.enabled = ["fixture.bad", "no.such.plugin"] }
        defer { host.shutdown() }
        guard case .disabled = record(host, "libc_echo.so").status else {
            Issue.record("c-echo should be disabled")
            return
        }
        #expect(host.catalog.loaded.map(\.id) == ["fixture.bad"])
        #expect(host.problems == ["plugins.enabled names \"no.such.plugin\", but no plugin with that id was found"])
    }

    @Test func searchPathOrderAndBuiltinFilter() {
        var config = HostConfiguration()
        config.pluginPaths = ["/etc/aloft/plugins"]
        let dirs = PluginSearchPath.directories(
            configuration: config, environment: ["ALOFT_PLUGIN_PATH": "/a::/b", "HOME": "/home/u"],
            executableDirectory: "/opt/aloft/bin")
        #expect(
            dirs.map(\.path) == [
                "/etc/aloft/plugins", "/a", "/b", "/home/u/.aloft/plugins", "/opt/aloft/bin",
                "/opt/aloft/lib/aloft/plugins",
            ])
        let builtin = dirs[4]
        #expect(builtin.accepts(fileName: "libAloftPluginEcho.so"))
        #expect(!builtin.accepts(fileName: "libFoundation.so"))
        #expect(dirs[0].accepts(fileName: "libanything.so"))
        #expect(!dirs[0].accepts(fileName: "README.md"))
    }
}
