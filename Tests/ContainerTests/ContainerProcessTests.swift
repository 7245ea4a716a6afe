import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The Container plugin's process backend, loaded from its own shared library like any plugin, driven by
/// the engine: success, exit codes, timeouts, abort, output errors, re-attach after a host restart.
@Suite(.timeLimit(.minutes(5))) struct ContainerProcessTests {
    struct Harness {
        let host: PluginHost
        let engine: ExecutionEngine
        let store: SQLiteMetadataStore

        func run(
            _ yaml: String, _ workflow: String = "w", inputs: LiteralMap = [:], id: String = ExecutionID.make()
        ) async throws -> ExecutionRecord {
            let r = Compiler(resolver: AnyTaskType()).compile(text: yaml, path: "/virtual/spec.yaml")
            let spec = try #require(r.spec, "\(r.diagnostics)")
            return try await engine.run(
                spec, workflow: workflow, inputs: inputs, project: "p", domain: "development", id: id)
        }

        func node(_ e: ExecutionRecord, _ n: String) throws -> NodeRecord? {
            try store.nodes(execution: e.id).first { $0.node == n }
        }
    }

    static func harness(
        root: String = NSTemporaryDirectory() + "aloft-container-\(UUID())", pluginConfig: JSON? = nil
    ) async throws -> Harness {
        let lib = Fixtures.buildDirectory + "/libAloftPluginContainer.so"
        let dir = NSTemporaryDirectory() + "aloft-container-plugin-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: lib, toPath: dir + "/libAloftPluginContainer.so")
        let host = await Fixtures.host(directory: dir) {
            if let pluginConfig { $0.pluginConfig["aloft.container"] = pluginConfig }
        }
        let store = try SQLiteMetadataStore(path: root + "/metadata.sqlite")
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: root + "/blobs"),
            options: EngineOptions(minPollInterval: .milliseconds(1)))
        return Harness(host: host, engine: engine, store: store)
    }

    static func task(
        _ command: String, outputs: String = "{n: integer, note: string, f: blob}", extra: String = ""
    ) -> String {
        """
        tasks:
          t:
            type: container
            inputs: {x: {type: integer, default: 2}}
            outputs: \(outputs)
            container:
              command: [sh, -c, '\(command)']
            \(extra)
        workflows:
          w:
            outputs: {n: {type: integer, from: $a.n}}
            nodes: [{id: a, task: t}]
        """
    }

    @Test func outputsFromOutputsJSONAndFromFiles() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(
            Self.task(
                #"echo "{\"n\": {{inputs.x}}}" > {{output_dir}}/outputs.json; printf hello > {{output_dir}}/note; printf data > {{output_dir}}/f; echo to-stdout"#
            ))
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try #require(try h.node(e, "a"))
        #expect(a.outputs?["n"] == .integer(2))
        #expect(a.outputs?["note"] == .string("hello"))
        guard case .blob(let f)? = a.outputs?["f"] else {
            Issue.record("no blob")
            return
        }
        #expect(try String(contentsOfFile: String(f.uri.dropFirst("file://".count)), encoding: .utf8) == "data")
        // stdout went to the attempt's log file, next to the outputs
        let log = String(f.uri.dropFirst("file://".count)).replacingOccurrences(of: "/out/f", with: "/work/stdout.log")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "to-stdout\n")
    }

    @Test func aNonZeroExitIsAUserErrorWithTheEndOfStderr() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(Self.task("echo boom >&2; exit 3", extra: "retries: 1"))
        #expect(e.phase == .failed)
        let a = try #require(try h.node(e, "a"))
        #expect(a.state.lastError?.code == .plugin("ExitCode3"))
        #expect(a.state.lastError?.kind == .user)
        #expect(a.state.lastError?.message == "the task exited with code 3; stderr ends with:\nboom")
        #expect(a.state.userFailures == 2)  // retried once, per the task's retries
    }

    @Test func missingAndMistypedOutputsAreClearUserErrors() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let missing = try await h.run(Self.task("true", outputs: "{n: integer}"))
        #expect(try h.node(missing, "a")?.state.lastError?.code == .plugin("MissingOutput"))
        #expect(
            try h.node(missing, "a")?.state.lastError?.message.hasPrefix("the task did not write output \"n\"; write ")
                == true)
        let mistyped = try await h.run(
            Self.task(#"echo "{\"n\": \"three\"}" > {{output_dir}}/outputs.json"#, outputs: "{n: integer}"))
        #expect(
            try h.node(mistyped, "a")?.state.lastError?.message
                == "output \"n\": expected integer, found string (in outputs.json)")
    }

    @Test func timeoutKillsTheProcessGroup() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let marker = NSTemporaryDirectory() + "aloft-timeout-\(UUID())"
        // A child of the task's shell keeps running unless the whole group is signalled.
        let e = try await h.run(
            Self.task("(sleep 30; touch \(marker)) & sleep 30", outputs: "{n: integer}", extra: "timeout: 300ms"))
        #expect(e.phase == .failed)
        #expect(try h.node(e, "a")?.state.lastError?.code == .timeout)
        // The group was signalled at the timeout; give a loaded machine time to end both sleeps.
        for _ in 0..<50 where Self.processes(naming: marker) > 0 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(Self.processes(naming: marker) == 0)
    }

    @Test func abortKillsTheProcessGroup() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let marker = NSTemporaryDirectory() + "aloft-abort-\(UUID())"
        let id = ExecutionID.make()
        let run = Task {
            try await h.run(Self.task("(sleep 60; touch \(marker)) & sleep 60", outputs: "{n: integer}"), id: id)
        }
        // Abort once the task's processes run.
        for _ in 0..<200 where Self.processes(naming: marker) == 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(Self.processes(naming: marker) > 0, "the task never started")
        try h.store.requestAbort(id: id)
        let e = try await run.value
        #expect(e.phase == .aborted)
        #expect(try h.node(e, "a")?.state.phase == .aborted)
        // SIGTERM to the group ends both sleeps at once; a group left alone would keep them for a minute.
        for _ in 0..<50 where Self.processes(naming: marker) > 0 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(Self.processes(naming: marker) == 0)
    }

    @Test func aTaskPastItsMemoryLimitEndsOutOfMemory() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        // 600 MB against a 200 MiB address-space limit: the allocation fails (MemoryError) instead of succeeding.
        let e = try await h.run(
            Self.task(
                #"python3 -c "x = bytearray(600 * 1000 * 1000); print(len(x))" && echo 1 > {{output_dir}}/n"#,
                outputs: "{n: integer}", extra: "resources: {memory: 200Mi}"))
        #expect(e.phase == .failed)
        let error = try #require(try h.node(e, "a")?.state.lastError)
        #expect(error.code == .plugin("OutOfMemory"))
        #expect(error.kind == .user)
        #expect(
            error.message.hasPrefix("the task ran out of memory (exit code 1); its limit is 200 MiB; stderr ends with:")
        )
        #expect(error.message.hasSuffix("MemoryError"))
    }

    /// How many processes have `text` in their command line (what is left of a task whose command names it);
    /// -1 if ps cannot be run.
    static func processes(naming text: String) -> Int {
        let ps = Process()
        ps.executableURL = URL(fileURLWithPath: "/bin/sh")
        ps.arguments = ["-c", "ps -eo args | grep -F '\(text)' | grep -v grep | wc -l"]
        let out = Pipe()
        ps.standardOutput = out
        guard (try? ps.run()) != nil else { return -1 }
        ps.waitUntilExit()
        return Int(
            String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)) ?? -1
    }
}

/// Issue 15, defect 3: a poll that finds no exit code, then finds the process gone (it exited in between),
/// must read the exit code again instead of reporting the process lost. The window is widened with a test
/// hook in the plugin's config (test_hooks.poll_pause_ms: a pause between the two looks).
@Suite(.timeLimit(.minutes(5))) struct ProcessPollRaceTests {
    @Test func aProcessThatExitsBetweenTheTwoLooksOfAPollIsNotLost() async throws {
        let h = try await ContainerProcessTests.harness(
            pluginConfig: .object(["test_hooks": .object(["poll_pause_ms": .integer(400)])]))
        defer { h.host.shutdown() }
        let e = try await h.run(
            ContainerProcessTests.task("sleep 0.1; echo 3 > {{output_dir}}/n", outputs: "{n: integer}"))
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try #require(try h.node(e, "a"))
        #expect(
            a.state.attempt == 0,
            "the attempt was retried after a false ProcessLost: \(String(describing: a.state.lastError))")
    }
}

/// Issue 15, defect 7: recover reuses what succeeded, except a node whose output data is gone: that node runs
/// again (reusing it would make the recovery fail the same way every time).
@Suite(.timeLimit(.minutes(5))) struct RecoverLostBlobTests {
    @Test func aSucceededNodeWhoseOutputFileIsGoneRunsAgainOnRecover() async throws {
        let h = try await ContainerProcessTests.harness()
        defer { h.host.shutdown() }
        let dir = NSTemporaryDirectory() + "aloft-recover-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let broken = dir + "/broken"
        _ = FileManager.default.createFile(atPath: broken, contents: nil)
        let spec = """
            tasks:
              make:
                type: container
                outputs: {f: blob}
                container: {command: [sh, -c, 'echo made >> \(dir)/makes; echo data > {{output_dir}}/f']}
              use:
                type: container
                inputs: {f: blob}
                outputs: {n: integer}
                container: {command: [sh, -c, 'test ! -e \(broken) && test -s {{inputs.f}} && echo 1 > {{output_dir}}/n']}
            workflows:
              w:
                outputs: {n: {type: integer, from: $b.n}}
                nodes: [{id: a, task: make}, {id: b, task: use, inputs: {f: $a.f}}]
            """
        let failed = try await h.run(spec)
        #expect(failed.phase == .failed)
        guard case .blob(let f)? = try h.node(failed, "a")?.outputs?["f"] else {
            Issue.record("a has no blob output")
            return
        }
        try FileManager.default.removeItem(atPath: String(f.uri.dropFirst("file://".count)))
        try FileManager.default.removeItem(atPath: broken)
        let recovered = try await h.engine.recover(failed.id)
        #expect(recovered.phase == .succeeded, "\(recovered.error ?? "")")
        #expect(try String(contentsOfFile: dir + "/makes", encoding: .utf8) == "made\nmade\n", "a did not run again")
        #expect(try h.node(recovered, "a")?.cachedFrom == nil)
    }
}

/// Issue 15, defect 10: an aborted map node is recorded `aborted` (its items were aborted), not `failed`.
@Suite(.timeLimit(.minutes(5))) struct MapAbortTests {
    @Test func anAbortedMapIsAbortedNotFailed() async throws {
        let h = try await ContainerProcessTests.harness()
        defer { h.host.shutdown() }
        let marker = NSTemporaryDirectory() + "aloft-map-abort-\(UUID())"
        let id = ExecutionID.make()
        let run = Task {
            try await h.run(
                """
                tasks:
                  t:
                    type: container
                    inputs: {x: integer}
                    outputs: {n: integer}
                    container: {command: [sh, -c, 'touch \(marker); sleep 60']}
                workflows:
                  w:
                    inputs: {xs: {type: list<integer>, default: [1, 2, 3]}}
                    nodes: [{id: m, map: {task: t, over: {x: $inputs.xs}}}]
                """, id: id)
        }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: marker) {
            try await Task.sleep(for: .milliseconds(50))
        }
        try h.store.requestAbort(id: id)
        let e = try await run.value
        #expect(e.phase == .aborted)
        let m = try h.node(e, "m")
        #expect(m?.state.phase == .aborted, "\(String(describing: m?.state.lastError))")
    }
}

/// Issue 15, defect 10 (a full disk): when the exit-code file cannot be written, a process that ran to its
/// end is not taken for lost and run again: the host that reaped it knows its exit status. (The file is
/// made unwritable by the task itself: a directory in its place.)
@Suite(.timeLimit(.minutes(5))) struct UnwritableExitCodeTests {
    @Test func aTaskWhoseExitCodeFileCannotBeWrittenStillSucceedsOnce() async throws {
        let h = try await ContainerProcessTests.harness()
        defer { h.host.shutdown() }
        let journal = NSTemporaryDirectory() + "aloft-exitcode-\(UUID())"
        let e = try await h.run(
            ContainerProcessTests.task(
                "echo run >> \(journal); mkdir exit_code; echo 7 > {{output_dir}}/n", outputs: "{n: integer}"))
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(try h.node(e, "a")?.outputs?["n"] == .integer(7))
        #expect(try String(contentsOfFile: journal, encoding: .utf8) == "run\n", "the task ran again")
    }
}

/// Two live hosts that submit the same attempt at once start its command once. (A host that stood still past
/// its lease woke in the middle of its submit while the host that took the execution over submitted the
/// attempt again; both found no process and both started one.) The window between the look for an earlier
/// process and the start is widened with a test hook (test_hooks.submit_pause_ms); the two submits run at
/// once on the plugin's threads.
@Suite(.timeLimit(.minutes(5))) struct ProcessSubmitRaceTests {
    @Test func twoSubmitsOfTheSameAttemptAtOnceStartItsCommandOnce() async throws {
        let h = try await ContainerProcessTests.harness(
            pluginConfig: .object(["test_hooks": .object(["submit_pause_ms": .integer(500)])]))
        defer { h.host.shutdown() }
        let dir = NSTemporaryDirectory() + "aloft-submit-race-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let command = "echo $$ >> \(dir)/starts; echo 1 > {{output_dir}}/n"
        let template = TaskTemplate(
            name: "t", version: "1", type: "container", interface: TaskInterface(inputs: [:], outputs: ["n": .integer]),
            extra: ["container": .object(["command": .array([.string("sh"), .string("-c"), .string(command)])])])
        // One host makes a task's calls one after another, so the other host's submit of the same attempt (the
        // same working directory) comes under another task execution id.
        func submit(_ execution: String) -> TaskInvocation {
            let identity = ExecutionIdentity(
                project: "p", domain: "development", execution: execution, node: "a", attempt: 0)
            return TaskInvocation(
                context: TaskContext(
                    taskExecutionID: TaskExecutionID.make(identity), identity: identity, task: template, inputs: [:],
                    outputPrefix: "file://\(dir)/attempt/"))
        }
        let plugin = try h.host.plugin(forTaskType: "container").get()
        async let first = plugin.submit(submit("race"))
        async let second = plugin.submit(submit("race-elsewhere"))
        let (a, b) = try await (first, second)
        #expect(a == b, "the two submits left different processes")
        // The command has run (its exit code is written after it) before the starts are counted.
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: dir + "/attempt/work/exit_code"), Date() < deadline {
            usleep(20_000)
        }
        let starts = ((try? String(contentsOfFile: dir + "/starts", encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(starts.count == 1, "the command started \(starts.count) times")
    }
}
