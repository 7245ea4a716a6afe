import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// Issue 15: a crash/resume soak. A chain of process tasks and a small map, each appending its task
/// execution id to a journal when it starts; `aloft run` and then `aloft resume` are SIGKILLed at random
/// moments (seeded, so a failure can be replayed), a bounded number of times, then resumed to the end. No
/// attempt may start twice, and the outputs must be right.
@Suite(.timeLimit(.minutes(5))) struct CrashSoakTests {
    /// A small deterministic generator (SplitMix64): the same seed kills at the same moments.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func randomKillsNeverStartAnAttemptTwice() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["ALOFT_SOAK_SEED"] ?? "") ?? 20261201
        var random = Seeded(state: seed)
        let dir = NSTemporaryDirectory() + "aloft-soak-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let journal = dir + "/journal"
        let step =
            "echo $ALOFT_TASK_EXECUTION_ID >> \(journal); sleep 0.3; echo $(( {{inputs.x}} + 1 )) > {{output_dir}}/y"
        var nodes = ["{id: n0, task: inc, inputs: {x: $inputs.start}}"]
        for i in 1..<8 { nodes.append("{id: n\(i), task: inc, inputs: {x: $n\(i - 1).y}}") }
        nodes.append("{id: fan, map: {task: inc, over: {x: $inputs.items}, concurrency: 2}}")
        try """
        tasks:
          inc:
            type: container
            inputs: {x: integer}
            outputs: {y: integer}
            container: {command: [sh, -c, '\(step)']}
        workflows:
          w:
            inputs: {start: {type: integer, default: 0}, items: {type: list<integer>, default: [10, 20, 30, 40]}}
            outputs: {last: {type: integer, from: $n7.y}, fanned: {type: list<integer>, from: $fan.y}}
            nodes: [\(nodes.joined(separator: ", "))]
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)

        var execution: String?
        var kills = 0
        for _ in 0..<20 {
            let p = try CLI.start(execution.map { ["resume", $0] } ?? ["run", "spec.yaml"], cwd: dir)
            usleep(UInt32.random(in: 50_000...500_000, using: &random))
            if !p.isRunning { break }  // it finished before this kill
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            kills += 1
            if execution == nil {
                execution = try? SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite").executions(
                    project: nil, domain: nil, limit: 1
                ).first?.id
            }
        }
        let id = try #require(execution, "no execution was created before the first kill (seed \(seed))")
        var end = try CLI.run(["resume", id], cwd: dir, env: ["HOME": dir])
        var final = id
        // Two kills inside one attempt's plugin calls fail that attempt by design (issue 16: a host that died
        // twice in an attempt's calls does not make the call again); under load the random kills can land so.
        // A user then recovers the execution, reusing what succeeded; the journal must still show no attempt
        // started twice, across both executions.
        if end.status != 0,
            try CLI.run(["executions", "show", id], cwd: dir, env: ["HOME": dir]).stdout.contains(
                "HostDiedInPluginCall")
        {
            end = try CLI.run(["recover", id], cwd: dir, env: ["HOME": dir])
            let succeeded = end.stdout.split(separator: "\n").first { $0.hasPrefix("succeeded: ") }
            final = succeeded.map { String($0.dropFirst("succeeded: ".count)) } ?? id
        }
        #expect(end.status == 0, "seed \(seed): \(end.stdout)\(end.stderr)")
        let shown = try CLI.run(["executions", "show", final], cwd: dir, env: ["HOME": dir])
        #expect(shown.stdout.contains("outputs: fanned = [11, 21, 31, 41], last = 8"), "seed \(seed): \(shown.stdout)")
        let starts = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").map(String.init)
        let twice = Dictionary(grouping: starts, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(twice.isEmpty, "seed \(seed), \(kills) kills: attempts started twice: \(twice)")
        #expect(kills >= 3, "seed \(seed): only \(kills) kills landed before the run ended")
    }
}
