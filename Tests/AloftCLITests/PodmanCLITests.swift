import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// The podman backend through the `aloft` command against a real `podman system service`: the main job in
/// containers (and its cached re-run), and a host killed while a container runs that re-attaches on resume.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PodmanCLITests {
    @Test func thePimaPipelineRunsInContainersThenOnlyRetrains() throws {
        let service = try PodmanService.require()
        let dir = NSTemporaryDirectory() + "aloft-pima-podman-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let spec = CLI.repoRoot + "/examples/pima/pima.yaml"
        let config = CLI.repoRoot + "/examples/pima/podman.yaml"
        let env = [
            "HOME": dir, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "ALOFT_PODMAN_SOCKET": service.socket,
        ]
        let first = try CLI.run(["run", "--config", config, spec], cwd: dir, env: env)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        for node in ["prepare", "train", "evaluate", "metrics"] {
            #expect(first.stdout.contains("status     \(node): container aloft-"), "\(node) did not run in a container")
        }
        let line = try #require(first.stdout.split(separator: "\n").first { $0.hasPrefix("  metrics = ") })
        let metrics =
            try JSONSerialization.jsonObject(with: Data(line.dropFirst("  metrics = ".count).utf8)) as! [String: Double]
        #expect(metrics["accuracy"]! > 0.7 && metrics["auc"]! > 0.75)

        let second = try CLI.run(["run", "--config", config, spec, "-i", "epochs=800"], cwd: dir, env: env)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("succeeded  prepare (cached)"))
        #expect(second.stdout.contains("status     train: container aloft-"))
    }

    @Test func resumeReattachesToTheRunningContainer() throws {
        let service = try PodmanService.require()
        let dir = NSTemporaryDirectory() + "aloft-podman-reattach-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir + "/journal", withIntermediateDirectories: true)
        try """
        plugins:
          config:
            aloft.container: {backend: podman, podman_socket: "\(service.socket)", image: "\(PodmanService.image)"}
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        try """
        tasks:
          t:
            type: container
            outputs: {n: integer}
            container:
              mounts: ["\(dir)/journal:/journal:rw"]
              command: [sh, -c, 'echo started >> /journal/starts; sleep 3; echo 7 > {{output_dir}}/n']
        workflows:
          w:
            outputs: {n: {type: integer, from: $a.n}}
            nodes: [{id: a, task: t}]
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let p = try CLI.start(["run", "spec.yaml"], cwd: dir)
        let id = CLI.killAfterSubmit(p, dir: dir) { FileManager.default.fileExists(atPath: dir + "/journal/starts") }
        let execution = try #require(id, "the container never started")
        #expect(PodmanService.containers(named: "aloft-" + execution).count == 1)  // still running without its host
        let resumed = try CLI.run(["resume", execution], cwd: dir, env: ["HOME": dir])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("succeeded: \(execution)\n  n = 7"))
        // one container, re-attached
        #expect(try String(contentsOfFile: dir + "/journal/starts", encoding: .utf8) == "started\n")
        #expect(PodmanService.containers(named: "aloft-" + execution).isEmpty)
    }
}
