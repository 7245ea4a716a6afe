import AloftTestSupport
import Foundation
import Testing

@testable import PluginHost

/// Issue 16 through the built `aloft`, as an operator meets it: bad plugin files beside the built-ins, and
/// a plugin that crashes while isolated.
@Suite(.serialized) struct IsolatedRunCLITests {
    func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aloft-isolated-cli-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        return dir
    }

    @Test(.timeLimit(.minutes(5)))
    func everyBadFileInThePluginDirectoryIsNamedAndAWorkflowOnTheBuiltInsRuns() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = [
            "CRASH_CONSTRUCTOR": "libcrash_ctor.so", "HANG_CONSTRUCTOR": "libhang_ctor.so",
            "EXIT_CONSTRUCTOR": "libexit_ctor.so",
            "HANG_INIT": "libhang_init.so", "CRASH_INIT": "libcrash_init.so", "BAD_POINTERS": "libbad_pointers.so",
            "DATA_ENTRY": "libdata_entry.so",
        ]
        for (variant, name) in files {
            try FileManager.default.copyItem(atPath: ProbeTests.deadly(variant), toPath: "\(dir)/plugins/\(name)")
        }
        let probe = ProbeTests()
        try probe.writeTruncated("\(dir)/plugins/libtruncated.so")
        try probe.writeForeign("\(dir)/plugins/libforeign.so")
        try "plugins:\n  paths: [./plugins]\n  init_budget_seconds: 1\n".write(
            toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        for name in ["hello.yaml", "common.yaml"] {
            try FileManager.default.copyItem(
                atPath: Fixtures.repoRoot.appendingPathComponent("examples/workflows/\(name)").path,
                toPath: "\(dir)/\(name)")
        }

        let run = try AloftProcess.run(["run", "hello.yaml", "--store", "store"], cwd: dir, limit: .seconds(120))
        #expect(!run.signalled && run.status == 0, "\(run.output)")
        #expect(run.output.contains("greeting = "), "\(run.output)")

        let list = try AloftProcess.run(["plugins", "list"], cwd: dir)
        #expect(!list.signalled, "\(list.output)")
        for name in files.values.sorted() + ["libtruncated.so", "libforeign.so"] {
            let line = list.output.split(separator: "\n").first { $0.contains("/plugins/\(name)") }
            #expect(line?.contains("refused: ") == true, "\(name): \(list.output)")
        }
        #expect(list.output.contains("crashed with SIGSEGV while loading the library"), "\(list.output)")
        #expect(list.output.contains("truncated: "), "\(list.output)")
        #expect(list.output.contains("built for "), "\(list.output)")
        #expect(list.output.contains("aloft.echo"), "\(list.output)")
    }

    @Test(.timeLimit(.minutes(5)))
    func anIsolatedPluginThatCrashesFailsItsNodeAndTheRunEndsCleanly() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: IsolationTests.misbehaving, toPath: dir + "/plugins/libmisbehaving.so")
        try """
        plugins:
          paths: [./plugins]
          builtin: false
          isolation:
            fixture.misbehaving: {mode: process, runners: 2}
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        try """
        version: 1
        tasks:
          ok:
            type: misbehave
            config: {do: ok, polls: 3}
            outputs: {x: integer}
          crash:
            type: misbehave
            config: {do: segfault}
            outputs: {x: integer}
        workflows:
          w:
            outputs:
              x: {type: integer, from: $b.x}
            nodes:
              - {id: a, task: ok}
              - {id: b, task: crash}
              - {id: c, task: ok}
        """.write(toFile: dir + "/wf.yaml", atomically: true, encoding: .utf8)

        let list = try AloftProcess.run(["plugins", "list"], cwd: dir)
        #expect(list.output.contains("loaded (isolated: runner processes)"), "\(list.output)")

        let run = try AloftProcess.run(["run", "wf.yaml", "--store", "store"], cwd: dir)
        #expect(!run.signalled && run.status == 2, "\(run.output)")
        #expect(
            run.output.contains(
                "plugin fixture.misbehaving: its runner was killed by signal 11 (SIGSEGV) during submit"),
            "\(run.output)")
        let id = try #require(run.executionID, "\(run.output)")
        let show = try AloftProcess.run(["executions", "show", id, "--store", "store"], cwd: dir)
        let rows = show.output.split(separator: "\n")
        for node in ["a", "c"] {
            #expect(
                rows.contains { $0.contains("succeeded") && $0.split(separator: " ").contains(Substring(node)) },
                "\(show.output)")
        }
    }
}
