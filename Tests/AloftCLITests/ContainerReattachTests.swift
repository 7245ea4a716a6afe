import AloftEngine
import Foundation
import Testing

/// SIGKILL `aloft run` while a container task's process runs; `aloft resume` re-attaches to that process
/// (pid + start time) instead of starting it again, and collects its outputs.
@Suite struct ContainerReattachTests {
    @Test func resumeReattachesToTheRunningProcess() throws {
        let dir = NSTemporaryDirectory() + "aloft-reattach-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let journal = dir + "/starts"
        try """
            tasks:
              t:
                type: container
                outputs: {n: integer}
                container:
                  command: [sh, -c, 'echo started >> \(journal); sleep 2; echo 7 > {{output_dir}}/n']
            workflows:
              w:
                outputs: {n: {type: integer, from: $a.n}}
                nodes: [{id: a, task: t}]
            """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let p = try CLI.start(["run", "spec.yaml"], cwd: dir)
        let id = CLI.killAfterSubmit(p, dir: dir, timeout: 20) { FileManager.default.fileExists(atPath: journal) }
        let execution = try #require(id, "the task never started")
        let resumed = try CLI.run(["resume", execution], cwd: dir, env: ["HOME": dir])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("succeeded: \(execution)\n  n = 7"))
        #expect(try String(contentsOfFile: journal, encoding: .utf8) == "started\n")  // one process, re-attached
        let show = try CLI.run(["executions", "show", execution], cwd: dir, env: ["HOME": dir])
        #expect(show.stdout.contains("logs:\n  a stdout: file://\(dir)/.aloft/blobs/default/development/\(execution)/a/0/work/stdout.log"))
    }
}
