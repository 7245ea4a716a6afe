import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// SIGKILL `aloft run` while a container task's process runs; `aloft resume` re-attaches to that process
/// (pid + start time) instead of starting it again, and collects its outputs.
@Suite(.timeLimit(.minutes(5))) struct ContainerReattachTests {
    @Test func resumeReattachesToTheRunningProcess() throws {
        let (dir, journal) = try CLI.journaledTask("reattach", then: "sleep 6; echo $$ > {{output_dir}}/n")
        let p = try CLI.start(["run", "spec.yaml"], cwd: dir)
        let id = CLI.killAfterSubmit(p, dir: dir, timeout: 20) {
            ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").hasSuffix("\n")
        }
        let execution = try #require(id, "the task never started")
        // The task's process outlived the host and still runs when the resume starts.
        let pid = try #require(
            Int32(try String(contentsOfFile: journal, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == 0, "the task's process \(pid) ended before the resume")
        let resumed = try CLI.run(["resume", execution], cwd: dir, env: ["HOME": dir])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        // Its output is that process's pid, and it is the only process that ever started: re-attached, not run again.
        #expect(resumed.stdout.contains("succeeded: \(execution)\n  n = \(pid)\n"))
        #expect(try String(contentsOfFile: journal, encoding: .utf8) == "\(pid)\n")
        let show = try CLI.run(["executions", "show", execution], cwd: dir, env: ["HOME": dir])
        #expect(
            show.stdout.contains(
                "logs:\n  a stdout: file://\(dir)/.aloft/blobs/default/development/\(execution)/a/0/work/stdout.log"))
    }
}
