import AloftAWS
import AloftEngine
import AloftKubernetes
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The Container plugin's `kubernetes` backend against the FAKE API server (no real cluster runs here) and
/// moto's S3: the pod it makes, every phase mapping, abort, a wrong token, and the pod's contract end to end
/// with the entrypoint run locally by the fake's "kubelet".
@Suite(.timeLimit(.minutes(5))) struct ContainerKubernetesFakeTests {
    static func task(_ command: String, outputs: String = "{n: integer}", extra: String = "") -> String {
        """
        tasks:
          t:
            type: container
            inputs: {x: {type: integer, default: 2}}
            outputs: \(outputs)
            container:
              command: [sh, -c, '\(command)']
              env: {GREETING: "hello {{inputs.x}}"}
            resources: {cpu: 0.5, memory: 64Mi}
            \(extra)
        workflows:
          w:
            nodes: [{id: a, task: t}]
        """
    }

    @Test func theEntrypointDownloadsBlobInputsAndUploadsOutputsThroughS3InTheFakeKubelet() async throws {
        let fake = try FakeKubeAPI.start(kubelet: true)
        defer { fake.stop() }
        let h = try await KubeHarness.make(fake: fake)
        defer { h.host.shutdown() }
        try h.s3.put(bucket: h.bucket, key: "data/in.txt", Array("twelve bytes".utf8))
        let e = try await h.run(
            """
            tasks:
              t:
                type: container
                inputs: {data: blob, x: integer}
                outputs: {n: integer, f: blob, echoed: integer}
                container:
                  command: [sh, -c, 'wc -c < {{inputs.data}} > {{output_dir}}/n; printf made-in-pod > $ALOFT_OUTPUT_DIR/f; python3 -c "import json; print(json.dumps({\\"echoed\\": json.load(open(\\"{{input_file}}\\"))[\\"x\\"]}))" > {{output_dir}}/outputs.json']
            workflows:
              w:
                inputs: {data: blob}
                outputs: {n: {type: integer, from: $a.n}, f: {type: blob, from: $a.f}}
                nodes: [{id: a, task: t, inputs: {data: $inputs.data, x: 41}}]
            """, inputs: ["data": .blob(BlobValue(uri: "s3://\(h.bucket)/data/in.txt", type: BlobType()))])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let a = try h.node(e)
        #expect(a.outputs?["n"] == .integer(12))
        #expect(a.outputs?["echoed"] == .integer(41))
        guard case .blob(let f)? = a.outputs?["f"] else {
            Issue.record("no blob output: \(String(describing: a.outputs))")
            return
        }
        #expect(f.uri.hasPrefix("s3://\(h.bucket)/runs/") && f.uri.hasSuffix("/out/f"))
        #expect(try h.text(f.uri) == "made-in-pod")
        // One pod, created once, deleted when the attempt was finalized.
        let calls = try fake.requests()
        #expect(calls.filter { $0.hasPrefix("POST") }.count == 1)
        #expect(calls.contains { $0.hasPrefix("DELETE /api/v1/namespaces/default/pods/") })
        #expect(a.logLinks.first?.uri.hasPrefix(fake.server + "/api/v1/namespaces/default/pods/") == true)
    }

    @Test func thePodCarriesTheTasksImageCommandEnvResourcesLabelsAndDeadline() async throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let h = try await KubeHarness.make(fake: fake)
        defer { h.host.shutdown() }
        let run = h.start(Self.task("echo {{inputs.x}} > {{output_dir}}/n", extra: "timeout: 90s"))
        let pod = try await fake.waitForObject(kind: "Pod")
        let name = try #require(pod["metadata"]?["name"]?.stringValue)
        let spec = try #require(pod["spec"])
        #expect(spec["restartPolicy"] == .string("Never"))
        #expect(spec["activeDeadlineSeconds"] == .integer(90))
        let c = try #require(spec["containers"]?.arrayValue?.first)
        #expect(c["image"] == .string("python:3.12"))
        #expect(
            c["command"]
                == .array(
                    ["python3", KubeHarness.entrypoint, "--", "sh", "-c", "echo 2 > /aloft/out/n"].map(JSON.string)))
        #expect(c["resources"]?["limits"]?["memory"] == .string("67108864"))
        #expect(c["resources"]?["requests"]?["cpu"] == .string("500m"))
        #expect(c["envFrom"]?.arrayValue?.first?["secretRef"]?["name"] == .string("aloft-s3"))
        #expect(envValue(pod, "GREETING") == "hello 2")
        #expect(envValue(pod, "ALOFT_OUTPUT_DIR") == "/aloft/out")
        let manifest = try #require(envValue(pod, "ALOFT_POD_MANIFEST"))
        #expect(manifest.hasPrefix("s3://\(h.bucket)/runs/") && manifest.hasSuffix("/work/pod.json"))
        #expect(try h.text(manifest).contains(#""inputs":{"x":2}"#))
        let labels = try #require(pod["metadata"]?["labels"])
        #expect(labels["app.kubernetes.io/managed-by"] == .string("aloft"))
        #expect(labels["aloft.io/project"] == .string("p"))
        #expect(labels["aloft.io/domain"] == .string("development"))
        #expect(labels["aloft.io/node"] == .string("a"))
        #expect(labels["aloft.io/execution"]?.stringValue?.hasPrefix("ex-") == true)
        // The program's outputs, as the entrypoint would have uploaded them; then the pod succeeds.
        try h.putOutput(try #require(envValue(pod, "ALOFT_OUTPUT_URI")), "n", "2\n")
        try fake.drive("pods", name, status: .object(["phase": .string("Succeeded")]))
        let e = try await h.finish(run)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(try h.node(e).outputs?["n"] == .integer(2))
    }

    /// Drives the task's pod through `statuses` (one per step) and returns the finished execution.
    static func drive(_ statuses: [JSON], extra: String = "") async throws -> (NodeRecord, [String?]) {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let h = try await KubeHarness.make(fake: fake)
        defer { h.host.shutdown() }
        let run = h.start(Self.task("true", outputs: "{}", extra: extra))
        let pod = try await fake.waitForObject(kind: "Pod")
        let name = try #require(pod["metadata"]?["name"]?.stringValue)
        // The node's status line, and whether it ended, once it differs from `shown` (a hang guard bounds the wait).
        func changed(from shown: String?) async throws -> String? {
            var message: String?
            for _ in 0..<2400 {
                let node = ((try? h.store.nodes(execution: run.id)) ?? []).first { $0.node == "a" }
                message = node?.statusMessage
                if message != shown || node?.state.phase.isTerminal == true { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            return message
        }
        // First what a poll of the pod as created showed ("pending", no status yet): otherwise that poll, in
        // flight while the first status is driven, is taken for the first status's (seen on a loaded machine).
        var shown = try await changed(from: nil)
        var seen: [String?] = []
        for status in statuses {
            try fake.drive("pods", name, status: status)
            shown = try await changed(from: shown)
            seen.append(shown)
        }
        let e = try await h.finish(run)
        return (try h.node(e), seen)
    }

    static func waiting(_ reason: String, _ message: String = "") -> JSON {
        .object([
            "phase": .string("Pending"),
            "containerStatuses": .array([
                .object([
                    "name": .string("task"),
                    "state": .object(["waiting": .object(["reason": .string(reason), "message": .string(message)])]),
                ])
            ]),
        ])
    }

    static func terminated(_ code: Int64, reason: String, message: String = "") -> JSON {
        .object([
            "phase": .string("Failed"),
            "containerStatuses": .array([
                .object([
                    "name": .string("task"),
                    "state": .object([
                        "terminated": .object([
                            "exitCode": .integer(code), "reason": .string(reason), "message": .string(message),
                        ])
                    ]),
                ])
            ]),
        ])
    }

    @Test func pendingIsWaitingForResourcesThenRunningThenSucceeded() async throws {
        let unschedulable = JSON.object([
            "phase": .string("Pending"),
            "conditions": .array([
                .object([
                    "type": .string("PodScheduled"), "status": .string("False"), "reason": .string("Unschedulable"),
                    "message": .string("0/3 nodes are available: 3 Insufficient cpu."),
                ])
            ]),
        ])
        let (a, seen) = try await Self.drive([
            unschedulable,
            .object(["phase": .string("Running"), "conditions": .array([])]),
            .object(["phase": .string("Unknown")]),
            .object(["phase": .string("Succeeded")]),
        ])
        #expect(a.state.phase == .succeeded)
        #expect(
            seen[0]?.hasSuffix("waiting for resources: 0/3 nodes are available: 3 Insufficient cpu.") == true, "\(seen)"
        )
        #expect(seen[1]?.hasSuffix(" running") == true, "\(seen)")
        #expect(seen[2]?.hasSuffix("state unknown (its node lost contact)") == true, "\(seen)")
    }

    @Test func imagePullBackOffIsAClearUserError() async throws {
        let (a, _) = try await Self.drive([Self.waiting("ImagePullBackOff", "Back-off pulling image \"python:3.12\"")])
        let error = try #require(a.state.lastError)
        #expect(error.code == .plugin("ImagePull"))
        #expect(error.kind == .user)
        #expect(error.message.contains("cannot pull its image python:3.12 (ImagePullBackOff: Back-off pulling image"))
    }

    @Test func aMissingSecretIsAClearUserError() async throws {
        let (a, _) = try await Self.drive([
            Self.waiting("CreateContainerConfigError", "secret \"aloft-s3\" not found")
        ])
        #expect(a.state.lastError?.code == .plugin("PodConfig"))
        #expect(a.state.lastError?.message.contains("secret \"aloft-s3\" not found") == true)
    }

    @Test func oomKilledIsOutOfMemoryWithTheLimit() async throws {
        let (a, _) = try await Self.drive([Self.terminated(137, reason: "OOMKilled")])
        let error = try #require(a.state.lastError)
        #expect(error.code == .plugin("OutOfMemory"))
        #expect(error.message.contains("was killed for memory (OOMKilled): its limit is 64 MiB"))
    }

    @Test func aNonZeroExitNamesTheCodeAndTheEndOfTheLog() async throws {
        let (a, _) = try await Self.drive([Self.terminated(3, reason: "Error", message: "line 1\nboom")])
        let error = try #require(a.state.lastError)
        #expect(error.code == .plugin("ExitCode3"))
        #expect(error.kind == .user)
        #expect(error.message.hasSuffix("; its log ends with:\nline 1\nboom"))
    }

    @Test func theActiveDeadlineIsATimeout() async throws {
        let (a, _) = try await Self.drive(
            [.object(["phase": .string("Failed"), "reason": .string("DeadlineExceeded")])], extra: "timeout: 1h")
        #expect(a.state.lastError?.code == .plugin("Timeout"))
    }

    @Test func abortDeletesThePod() async throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let h = try await KubeHarness.make(fake: fake)
        defer { h.host.shutdown() }
        let run = h.start(Self.task("sleep 600", outputs: "{}"))
        let pod = try await fake.waitForObject(kind: "Pod")
        try fake.drive(
            "pods", try #require(pod["metadata"]?["name"]?.stringValue), status: .object(["phase": .string("Running")]))
        try h.store.requestAbort(id: run.id)
        let e = try await h.finish(run)
        #expect(e.phase == .aborted)
        #expect(try await fake.waitForDeletion(kind: "Pod"))
    }

    @Test func aPodDeletedBehindAloftsBackIsLostAndTheAttemptIsRetried() async throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let h = try await KubeHarness.make(fake: fake)
        defer { h.host.shutdown() }
        let run = h.start(Self.task("true", outputs: "{}"))
        let first = try await fake.waitForObject(kind: "Pod")
        let name = try #require(first["metadata"]?["name"]?.stringValue)
        #expect(try KubeClient(fake.connection()).delete(.pods, name: name))
        // PodLost is a retryable system error: the engine starts attempt 1, a new pod with a new name.
        let second = try await fake.waitForObject(kind: "Pod")
        let retried = try #require(second["metadata"]?["name"]?.stringValue)
        #expect(retried != name)
        #expect(second["metadata"]?["labels"]?["aloft.io/attempt"] == .string("1"))
        try fake.drive("pods", retried, status: .object(["phase": .string("Succeeded")]))
        let e = try await h.finish(run)
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        #expect(try h.node(e).state.systemFailures == 1)
    }

    @Test func aWrongTokenIsAUserErrorThatDoesNotShowIt() async throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let wrong = "not-the-token-\(UUID().uuidString)"
        let h = try await KubeHarness.make(fake: fake, token: wrong)
        defer { h.host.shutdown() }
        let e = try await h.run(Self.task("true", outputs: "{}"))
        let error = try #require(try h.node(e).state.lastError)
        #expect(error.code == .plugin("KubeUnauthorized"))
        #expect(error.kind == .user)
        #expect(error.message.contains("HTTP 401"))
        #expect(error.message.contains("kubeconfig \(h.dir)/kubeconfig (context fake)"))
        #expect(!error.message.contains(wrong))
        #expect(try fake.objects().isEmpty)
    }

    @Test func hostMountsAreRefusedWithAClearError() async throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let h = try await KubeHarness.make(fake: fake)
        defer { h.host.shutdown() }
        let e = try await h.run(
            Self.task("true", outputs: "{}").replacingOccurrences(
                of: "container:\n      command:", with: "container:\n      mounts: [/data]\n      command:"))
        let error = try #require(try h.node(e).state.lastError)
        #expect(error.code == .plugin("BadMount"))
        #expect(error.message.contains("host paths cannot be mounted"))
        #expect(try fake.objects().isEmpty)
    }
}
