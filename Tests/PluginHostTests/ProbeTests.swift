import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// Issue 16, deliverable 2: a plugin file the host has not seen is loaded in a child process first; one that
/// crashes, hangs or exits there is refused with what it did, and every other plugin keeps working.
@Suite(.timeLimit(.minutes(5))) struct ProbeTests {
    /// Plugin files that take down the process that loads them, built once per test run.
    private static let built: Result<[String: String], any Error> = Result {
        let dir = try TemporaryDirectory.make("probe-fixtures")
        var out: [String: String] = [:]
        for variant in [
            "CRASH_CONSTRUCTOR", "HANG_CONSTRUCTOR", "EXIT_CONSTRUCTOR", "HANG_INIT", "CRASH_INIT",
            "BAD_POINTERS", "DATA_ENTRY",
        ] {
            out[variant] = try Fixtures.compile(
                Fixtures.badSource, defines: [variant], to: "\(dir)/lib\(variant.lowercased()).so")
        }
        return out
    }

    /// The library of a deadly fixture; throws when they could not be built.
    static func deadly(_ variant: String) throws -> String {
        guard let path = try built.get()[variant] else { throw FixtureError("no deadly fixture named \(variant)") }
        return path
    }

    /// A directory with c-echo and a copy of each named deadly fixture.
    func directory(_ files: [String: String]) throws -> String {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so"])
        for (variant, name) in files {
            try FileManager.default.copyItem(atPath: Self.deadly(variant), toPath: "\(dir)/\(name)")
        }
        return dir
    }

    func record(_ host: PluginHost, _ name: String) -> PluginRecord {
        host.catalog.records.first { ($0.path as NSString).lastPathComponent == name }!
    }

    /// The c-echo library cut in half, as a copy still in progress would be.
    func writeTruncated(_ path: String) throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.compiled("c-echo")))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
    }

    /// The c-echo library with its header saying AArch64 (or x86-64 on an AArch64 host).
    func writeForeign(_ path: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.compiled("c-echo"))))
        let other: UInt16 = ELFHeader.hostMachine == 183 ? 62 : 183
        bytes[18] = UInt8(other & 0xFF)
        bytes[19] = UInt8(other >> 8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test
    func everyDeadlyFileIsRefusedWithWhatItDidAndEchoStillServes() async throws {
        let dir = try directory([
            "CRASH_CONSTRUCTOR": "libcrash_ctor.so", "HANG_CONSTRUCTOR": "libhang_ctor.so",
            "EXIT_CONSTRUCTOR": "libexit_ctor.so",
            "HANG_INIT": "libhang_init.so", "CRASH_INIT": "libcrash_init.so", "BAD_POINTERS": "libbad_pointers.so",
            "DATA_ENTRY": "libdata_entry.so",
        ])
        try writeTruncated("\(dir)/libtruncated.so")
        try writeForeign("\(dir)/libforeign.so")
        // A budget the good echo's probe and init meet on a loaded machine; the hanging files never return.
        let host = await Fixtures.host(directory: dir) { $0.callOptions.initBudget = .seconds(2) }
        defer { host.shutdown() }

        #expect(record(host, "libcrash_ctor.so").refusal == .probeFailed(.crashed(signal: SIGSEGV, stage: .dlopen)))
        #expect(record(host, "libhang_ctor.so").refusal == .probeFailed(.timedOut(seconds: 2, stage: .dlopen)))
        #expect(record(host, "libexit_ctor.so").refusal == .probeFailed(.exited(status: 0, stage: .dlopen)))
        #expect(record(host, "libhang_init.so").refusal == .probeFailed(.timedOut(seconds: 2, stage: .initializing)))
        #expect(
            record(host, "libcrash_init.so").refusal == .probeFailed(.crashed(signal: SIGABRT, stage: .initializing)))
        #expect(
            record(host, "libbad_pointers.so").refusal == .probeFailed(.crashed(signal: SIGSEGV, stage: .descriptor)))
        #expect(record(host, "libdata_entry.so").refusal == .probeFailed(.crashed(signal: SIGSEGV, stage: .entry)))
        guard case .truncated(let size, let expected)? = record(host, "libtruncated.so").refusal else {
            Issue.record(
                "the truncated file is not refused as truncated: \(String(describing: record(host, "libtruncated.so").refusal))"
            )
            return
        }
        #expect(size < expected)
        let foreign = record(host, "libforeign.so").refusal
        #expect(foreign?.kind == "wrong-architecture")
        #expect(foreign?.description.hasPrefix("built for ") == true)
        #expect(foreign?.description.contains(", this host is ") == true)

        // The words people read.
        #expect(
            record(host, "libcrash_ctor.so").refusal?.description
                == "crashed with SIGSEGV while loading the library (dlopen and its constructors), in a probe process")
        #expect(
            record(host, "libexit_ctor.so").refusal?.description
                == "exited with status 0 while loading the library (dlopen and its constructors), in a probe process")
        #expect(
            record(host, "libhang_init.so").refusal?.description
                == "did not finish calling init within 2.0 s, in a probe process (killed)")

        // Nine refused, and the good plugin loaded and works.
        #expect(host.catalog.records.filter { $0.refusal != nil }.count == 9)
        let echo = try host.plugin(forTaskType: "echo").get()
        let outputs = try await TaskDriver.runToCompletion(echo, EchoTask.make(inputs: ["x": .integer(3)]))
        #expect(outputs == ["x": .integer(3)])
    }

    @Test
    func aProbeThatCannotRunLoadsAsBeforeAndSaysSo() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so"])
        let probe = PluginProbe(runner: "/nonexistent/aloft-plugin-runner", cache: nil)
        let verdict = await probe.check(path: "\(dir)/libc_echo.so", request: request(budget: .seconds(5)))
        #expect(
            verdict.failure
                == .unprobed(
                    "the probe runner /nonexistent/aloft-plugin-runner is missing (build or install aloft-plugin-runner beside aloft)"
                ))
        let host = await PluginHost.start(
            configuration: noBuiltins, logger: Fixtures.quietLogger, environment: [:],
            directories: [PluginDirectory(path: dir, origin: .config)], probe: probe)
        defer { host.shutdown() }
        #expect(host.catalog.loaded.map(\.id) == ["example.c-echo"])
    }

    /// The verdict is remembered by file identity: the second host does not probe (its runner is missing, so
    /// a probe would have loaded the file in-process and refused it differently), and a changed file is
    /// probed again.
    @Test
    func verdictsAreCachedByFileIdentity() async throws {
        let dir = try directory(["HANG_INIT": "libhang_init.so"])
        let cache = VerdictCache(file: "\(dir)/cache/plugin-verdicts.json")
        var configuration = noBuiltins
        configuration.callOptions.initBudget = .milliseconds(300)
        let directories = [PluginDirectory(path: dir, origin: .config)]
        let first = await PluginHost.start(
            configuration: configuration, logger: Fixtures.quietLogger, environment: [:], directories: directories,
            probe: PluginProbe.standard(environment: [:]).with(cache: cache))
        first.shutdown()
        #expect(record(first, "libhang_init.so").refusal == .probeFailed(.timedOut(seconds: 0.3, stage: .initializing)))
        #expect(FileManager.default.fileExists(atPath: cache.file))

        let noRunner = PluginProbe(runner: "/nonexistent/aloft-plugin-runner", cache: VerdictCache(file: cache.file))
        let second = await PluginHost.start(
            configuration: configuration, logger: Fixtures.quietLogger, environment: [:],
            directories: directories, probe: noRunner)
        second.shutdown()
        #expect(
            record(second, "libhang_init.so").refusal == .probeFailed(.timedOut(seconds: 0.3, stage: .initializing)))
        #expect(record(second, "libc_echo.so").refusal == nil)

        // Touched: a new modification time is a new file, probed again (here: not probed, loaded in-process).
        let later = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: "\(dir)/libhang_init.so")
        let third = await PluginHost.start(
            configuration: configuration, logger: Fixtures.quietLogger, environment: [:],
            directories: directories, probe: noRunner)
        third.shutdown()
        #expect(record(third, "libhang_init.so").refusal == .initOverran(seconds: 0.3))
    }

    @Test
    func aTaskTypeServedOnlyByARefusedFileNamesTheFileAndWhy() async throws {
        let dir = try Fixtures.directory(["MAJOR_2": "libmajor.so", "c-echo": "libc_echo.so"])
        try FileManager.default.copyItem(atPath: Self.deadly("CRASH_INIT"), toPath: "\(dir)/libcrash_init.so")
        let host = await Fixtures.host(directory: dir)
        defer { host.shutdown() }
        guard case .failure(let error) = host.plugin(forTaskType: "fixture") else {
            Issue.record("fixture is served")
            return
        }
        // The probe read the crashing file's descriptor before init: it is named alone.
        #expect(
            error.message == "task type \"fixture\" is served only by refused plugin files: "
                + "\(dir)/libcrash_init.so (crashed with SIGABRT while calling init, in a probe process)")
        #expect(record(host, "libcrash_init.so").descriptor?.taskTypes == ["fixture"])

        // A file of another ABI has no types the host can trust: it is listed for any unserved type.
        let unserved = host.router.explainUnserved("spark")
        #expect(
            unserved.hasPrefix(
                "no plugin serves task type \"spark\"; served types: c-echo-sync, echo, sleep; refused plugin files (their task types unknown): "
            ))
        #expect(unserved.contains("\(dir)/libmajor.so (built for plugin ABI major 2, this host speaks ABI major 1)"))
    }

    @Test func aRefusedFileWhoseTypesAreKnownIsNamedAlone() {
        let router = TaskRouter(
            plugins: [(id: "aloft.echo", path: "libAloftPluginEcho.so", taskTypes: ["echo"])],
            refused: [
                TaskRouter.RefusedFile(path: "/p/libhive.so", reason: "init failed: no license", taskTypes: ["hive"]),
                TaskRouter.RefusedFile(path: "/p/libother.so", reason: "truncated", taskTypes: nil),
            ],
            routes: [:])
        #expect(
            router.explainUnserved("hive")
                == "task type \"hive\" is served only by refused plugin files: /p/libhive.so (init failed: no license)")
    }

    var noBuiltins: HostConfiguration {
        var c = HostConfiguration()
        c.searchBuiltin = false
        return c
    }

    func request(budget: Duration) -> ProbeRequest {
        ProbeRequest(initBudget: budget, pluginConfig: [:], fallbackConfig: .object([:]), enabled: nil)
    }
}

extension PluginProbe {
    func with(cache: VerdictCache) -> PluginProbe { PluginProbe(runner: runner, cache: cache) }
}
