import AloftEngine
import Foundation
import Testing

/// Issue 15, defect 5: SIGTERM and SIGHUP abort the running nodes and `aloft` waits out their grace period,
/// killing what ignores SIGTERM, before it exits 3 (aborted); a second signal cuts the wait, still killing.
/// The task ignores SIGTERM (and so does every process it starts), as a stubborn program would.
@Suite(.timeLimit(.minutes(5))) struct SignalAbortTests {
    static func start(_ dir: String) throws -> (Process, pid: Int32) {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        tasks:
          t:
            type: container
            outputs: {n: integer}
            container:
              command: [sh, -c, "trap '' TERM; echo $$ > \(dir)/task.pid; while true; do sleep 0.2; done"]
        workflows:
          w: {nodes: [{id: a, task: t}]}
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let p = try CLI.start(["run", "spec.yaml"], cwd: dir)
        // The file can exist before the shell has written the pid into it.
        var pid: Int32?
        for _ in 0..<600 where pid == nil {
            pid = (try? String(contentsOfFile: dir + "/task.pid", encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if pid == nil { usleep(50_000) }
        }
        return (p, try #require(pid, "the task never started"))
    }

    static func stderr(_ dir: String) -> String {
        (try? String(contentsOfFile: dir + "/aloft-stderr.log", encoding: .utf8)) ?? ""
    }

    static func waitForExit(_ p: Process, seconds: Double) -> Double? {
        let started = Date()
        while p.isRunning {
            if Date().timeIntervalSince(started) > seconds { return nil }
            usleep(20_000)
        }
        return Date().timeIntervalSince(started)
    }

    /// Running: it exists and is not a zombie (a killed process waits to be reaped by whoever inherited it).
    static func running(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    @Test(arguments: [SIGTERM, SIGHUP])
    func aSignalAbortsAndKillsTasksThatIgnoreSIGTERMBeforeAloftExits(signal: Int32) throws {
        let dir = NSTemporaryDirectory() + "aloft-signal-\(UUID())"
        let (p, task) = try Self.start(dir)
        kill(p.processIdentifier, signal)
        let took = try #require(Self.waitForExit(p, seconds: 30), "aloft did not exit")
        #expect(
            p.terminationStatus == 3,
            "exit status \(p.terminationStatus); \(Self.stderr(dir))"
        )
        #expect(took >= 4, "aloft exited after \(took) s, before the grace period ended")
        #expect(!Self.running(task), "the task (pid \(task)) still runs after aloft exited")
        let store = try SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite")
        #expect(try store.executions(project: nil, domain: nil, limit: 1).first?.phase == .aborted)
    }

    @Test func aSecondSignalKillsAtOnce() throws {
        let dir = NSTemporaryDirectory() + "aloft-signal-twice-\(UUID())"
        let (p, task) = try Self.start(dir)
        kill(p.processIdentifier, SIGINT)
        // The second signal once the first was handled: two signals sent before aloft reads the first are one
        // pending signal to the kernel.
        for _ in 0..<600 where !Self.stderr(dir).contains("aborting ") { usleep(50_000) }
        kill(p.processIdentifier, SIGINT)
        let took = try #require(Self.waitForExit(p, seconds: 30), "aloft did not exit")
        #expect(Self.stderr(dir).contains("killing the running tasks of "), "\(Self.stderr(dir))")
        // Well inside the task's 5 s grace period, which the second signal cuts short.
        #expect(took < 4.5, "aloft took \(took) s after the second signal")
        #expect(p.terminationStatus == 3)
        #expect(!Self.running(task), "the task (pid \(task)) still runs after aloft exited")
    }
}
