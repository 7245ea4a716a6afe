import AloftAWS
import AloftEngine
import AloftHTTP
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// SIGKILL `aloft run` while its task's pod runs (on the FAKE API server, blobs on moto's S3); `aloft resume`
/// polls the same pod from the stored state — a get, never a second create — and collects its outputs.
@Suite(.timeLimit(.minutes(5))) struct KubernetesResumeFakeTests {
    @Test func resumeAfterSIGKILLGetsThePodItDoesNotCreateASecond() async throws {
        let moto = try MotoPeer.require()
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let dir = try TemporaryDirectory("kube-resume")
        defer { dir.remove() }
        let (s3, bucket) = try moto.newBucket("resume")
        try """
        plugins:
          config:
            aloft.container:
              backend: kubernetes
              image: python:3.12
              kubernetes: {kubeconfig: "\(try fake.kubeconfig(in: dir.path))", env_secret: aloft-s3, poll_seconds: 0.2}
        """.write(toFile: dir.path + "/aloft.yaml", atomically: true, encoding: .utf8)
        try """
        tasks:
          t:
            type: container
            outputs: {n: integer}
            container:
              command: [sh, -c, 'echo 7 > {{output_dir}}/n']
        workflows:
          w:
            outputs: {n: {type: integer, from: $a.n}}
            nodes: [{id: a, task: t}]
        """.write(toFile: dir.path + "/spec.yaml", atomically: true, encoding: .utf8)
        let environment = [
            "HOME": dir.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey,
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": moto.region,
        ]
        let aloft = Fixtures.buildDirectory + "/aloft"
        let blobs = "s3://\(bucket)/runs"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: aloft)
        p.arguments = ["run", "spec.yaml", "--blobs", blobs]
        p.currentDirectoryURL = dir.url
        p.environment = environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Kill once the pod exists and the node's resource state (the pod's name) is stored.
        var execution: String?
        for _ in 0..<2400 where execution == nil {
            if try !fake.objects().isEmpty,
                let store = try? SQLiteMetadataStore(path: dir.path + "/.aloft/metadata.sqlite"),
                let e = try? store.executions(project: nil, domain: nil, limit: 1).first,
                (try? store.nodes(execution: e.id))?.first(where: { $0.node == "a" })?.resourceState != nil
            {
                execution = e.id
            }
            if execution == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let id = try #require(execution, "the pod was never created")
        // While no host watches, the pod runs and ends; what its entrypoint would have uploaded is in S3.
        let pod = try #require(try fake.objects().first)
        let name = try #require(pod["metadata"]?["name"]?.stringValue)
        let outputURI = try #require(envValue(pod, "ALOFT_OUTPUT_URI"))
        let (outBucket, outKey) = try #require(S3Client.split(outputURI + "n"))
        try s3.put(bucket: outBucket, key: outKey, Array("7\n".utf8))
        try fake.drive("pods", name, status: .object(["phase": .string("Succeeded")]))
        let resumed = try TestProcess.run(
            aloft, ["resume", id, "--blobs", blobs], cwd: dir.path, environment: environment, limit: .seconds(120))
        #expect(resumed.succeeded, "\(resumed)")
        #expect(resumed.stdout.contains("succeeded: \(id)\n  n = 7\n"), "\(resumed.stdout)")
        let creates = try fake.requests().filter { $0 == "POST /api/v1/namespaces/default/pods" }
        #expect(creates.count == 1, "the pod was created again")
        #expect(try fake.requests().contains("GET /api/v1/namespaces/default/pods/\(name)"))
        #expect(try fake.objects().isEmpty)  // finalized: deleted
    }
}
