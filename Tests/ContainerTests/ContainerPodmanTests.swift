import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The Container plugin's podman backend against a real `podman system service` (started by the tests on a
/// private socket) and the project's local image: the same cases as the process backend, plus what only a
/// container has (no network, a memory limit enforced by the engine, removal after the end, a missing image).
@Suite(.serialized, .timeLimit(.minutes(5))) struct ContainerPodmanTests {
    static func harness() async throws -> ContainerProcessTests.Harness {
        let service = try PodmanService.require()
        return try await ContainerProcessTests.harness(
            pluginConfig: .object([
                "backend": .string("podman"), "podman_socket": .string(service.socket),
                "image": .string(PodmanService.image),
            ]))
    }

    static func task(
        _ command: String, outputs: String = "{n: integer, note: string, f: blob}", extra: String = ""
    ) -> String {
        ContainerProcessTests.task(command, outputs: outputs, extra: extra)
    }

    @Test func outputsLogsAndTheContainerIsRemoved() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(
            Self.task(
                #"echo "{\"n\": {{inputs.x}}}" > {{output_dir}}/outputs.json; printf hello > {{output_dir}}/note; printf data > {{output_dir}}/f; echo to-stdout; echo to-stderr >&2; test -f {{input_file}}"#
            ))
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try #require(try h.node(e, "a"))
        #expect(a.outputs?["n"] == .integer(2))
        #expect(a.outputs?["note"] == .string("hello"))
        guard case .blob(let f)? = a.outputs?["f"] else {
            Issue.record("no blob")
            return
        }
        let path = String(f.uri.dropFirst("file://".count))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "data")
        // The container's stdout and stderr were kept in the attempt's work directory before it was removed.
        #expect(
            try String(
                contentsOfFile: path.replacingOccurrences(of: "/out/f", with: "/work/stdout.log"), encoding: .utf8)
                == "to-stdout\n")
        #expect(
            try String(
                contentsOfFile: path.replacingOccurrences(of: "/out/f", with: "/work/stderr.log"), encoding: .utf8)
                == "to-stderr\n")
        #expect(PodmanService.containers(named: "aloft-" + e.id).isEmpty)
    }

    @Test func aNonZeroExitIsAUserErrorRetriedPerTheTask() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(Self.task("echo boom >&2; exit 3", extra: "retries: 1"))
        #expect(e.phase == .failed)
        let a = try #require(try h.node(e, "a"))
        #expect(a.state.lastError?.code == .plugin("ExitCode3"))
        #expect(a.state.lastError?.kind == .user)
        #expect(a.state.lastError?.message == "the task exited with code 3; stderr ends with:\nboom")
        #expect(a.state.userFailures == 2)
        #expect(PodmanService.containers(named: "aloft-" + e.id).isEmpty)
    }

    @Test func missingAndMistypedOutputsAreClearUserErrors() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let missing = try await h.run(Self.task("true", outputs: "{n: integer}"))
        #expect(try h.node(missing, "a")?.state.lastError?.code == .plugin("MissingOutput"))
        let mistyped = try await h.run(
            Self.task(#"echo "{\"n\": \"three\"}" > {{output_dir}}/outputs.json"#, outputs: "{n: integer}"))
        #expect(
            try h.node(mistyped, "a")?.state.lastError?.message
                == "output \"n\": expected integer, found string (in outputs.json)")
    }

    @Test func timeoutKillsAndRemovesTheContainer() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(Self.task("sleep 60", outputs: "{n: integer}", extra: "timeout: 1s"))
        #expect(e.phase == .failed)
        #expect(try h.node(e, "a")?.state.lastError?.code == .timeout)
        // Killed at once; removed at finalize.
        var left = PodmanService.containers(named: "aloft-" + e.id)
        for _ in 0..<100 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            left = PodmanService.containers(named: "aloft-" + e.id)
        }
        #expect(left.isEmpty)
    }

    @Test func abortStopsTheContainer() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let id = ExecutionID.make()
        let run = Task { try await h.run(Self.task("sleep 60", outputs: "{n: integer}"), id: id) }
        // Abort once the container runs.
        for _ in 0..<200 {
            if PodmanService.podman(["ps", "--format", "{{.Names}}"]).output.contains("aloft-" + id) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try h.store.requestAbort(id: id)
        let e = try await run.value
        #expect(e.phase == .aborted)
        for _ in 0..<100 where !PodmanService.containers(named: "aloft-" + id).isEmpty {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(PodmanService.containers(named: "aloft-" + id).isEmpty)
    }

    @Test func noNetworkAndTheMemoryLimitIsEnforced() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let net = try await h.run(
            Self.task(
                "ls /sys/class/net > {{output_dir}}/note; echo 1 > {{output_dir}}/n",
                outputs: "{n: integer, note: string}"))
        #expect(try h.node(net, "a")?.outputs?["note"] == .string("lo"))
        let oom = try await h.run(
            Self.task(
                #"python3 -c "x = bytearray(512 * 1024 * 1024); x[::4096] = bytes(len(x[::4096])); print(len(x))""#,
                outputs: "{n: integer}", extra: "resources: {memory: 64Mi}"))
        #expect(oom.phase == .failed)
        let error = try #require(try h.node(oom, "a")?.state.lastError)
        #expect(error.code == .plugin("OutOfMemory"))
        #expect(error.message.contains("64 MiB"))
    }

    @Test func aMissingImageIsAClearUserError() async throws {
        let h = try await Self.harness()
        defer { h.host.shutdown() }
        let e = try await h.run(
            Self.task("true", outputs: "{n: integer}").replacingOccurrences(
                of: "container:\n      command:",
                with: "container:\n      image: localhost/no-such-image:1\n      command:"))
        let error = try #require(try h.node(e, "a")?.state.lastError)
        #expect(error.code == .plugin("NoImage"))
        #expect(error.kind == .user)
        #expect(error.message.hasPrefix("image localhost/no-such-image:1 is not in the container engine"))
    }

    @Test func anUnreachableEngineNamesItsSocket() async throws {
        let h = try await ContainerProcessTests.harness(
            pluginConfig: .object([
                "backend": .string("podman"), "podman_socket": .string("/nonexistent/podman.sock"),
                "image": .string(PodmanService.image),
            ]))
        defer { h.host.shutdown() }
        let e = try await h.run(Self.task("true", outputs: "{n: integer}"))
        let error = try #require(try h.node(e, "a")?.state.lastError)
        #expect(error.code == .plugin("EngineUnavailable"))
        #expect(error.message.contains("/nonexistent/podman.sock"))
    }
}
