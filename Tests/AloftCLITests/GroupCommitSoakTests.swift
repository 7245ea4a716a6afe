import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// Issue 18, group commit: a long chain of C echo tasks (node transitions committed in groups by the store's
/// one writer) is SIGKILLed at random moments, in `aloft run` and then in each `aloft resume` (seeded, so a
/// failure can be replayed), and resumed until it ends. The output must be right, and the plugin's journal
/// must show no node submitted under two task execution ids: a resumed host submits again only with the id
/// whose intent was durable before the first submit. The same chain of the synchronous `c-echo-sync` (each
/// node's mark and end committed on the plugin's thread around its call) must end right, every node in its
/// first attempt.
@Suite(.timeLimit(.minutes(6))) struct GroupCommitSoakTests {
    static let length = Int(ProcessInfo.processInfo.environment["ALOFT_SOAK_CHAIN"] ?? "") ?? 10_000

    @Test func aLongChainKilledManyTimesEndsRightWithoutSubmittingANodeTwice() throws {
        try soak(type: "echo")
    }

    @Test func aLongSyncChainKilledManyTimesEndsRightInFirstAttempts() throws {
        try soak(type: "c-echo-sync")
    }

    /// How many nodes of the execution succeeded (as stored).
    static func succeeded(_ execution: String, in dir: String) -> Int? {
        (try? SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite").nodes(execution: execution))?
            .filter { $0.state.phase == .succeeded }.count
    }

    /// Waits until more than `after` nodes of the execution succeeded while `p` runs: how many, or nil when `p`
    /// ended first.
    static func succeeded(_ execution: String, in dir: String, after: Int, while p: Process) -> Int? {
        while p.isRunning {
            if let count = succeeded(execution, in: dir), count > after { return count }
            usleep(20_000)
        }
        return nil
    }

    private func soak(type: String) throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["ALOFT_SOAK_SEED"] ?? "") ?? 20_261_218
        var random = CrashSoakTests.Seeded(state: seed)
        let dir = try CLI.cEchoDirectory()
        let journal = dir + "/journal.txt"
        try """
        plugins:
          paths: [\(dir)]
          builtin: false
          config:
            example.c-echo: {journal: \(journal)}
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        var nodes = ["      - {id: n0, task: e, inputs: {x: $inputs.x}}"]
        for i in 1..<Self.length { nodes.append("      - {id: n\(i), task: e, inputs: {x: $n\(i - 1).x}}") }
        try """
        tasks:
          e:
            type: \(type)
            inputs: {x: integer}
            outputs: {x: integer}
        workflows:
          chain:
            inputs: {x: {type: integer, default: 7}}
            outputs: {x: {type: integer, from: $n\(Self.length - 1).x}}
            nodes:
        \(nodes.joined(separator: "\n"))
        """.write(toFile: dir + "/chain.yaml", atomically: true, encoding: .utf8)

        var execution: String?
        var kills = 0
        var ended = 0
        var attempts = 0
        /// Whether the host ended by SIGKILL (ours, or its own at its kill point); then it counts as a kill.
        func killed(_ p: Process) -> Bool {
            p.waitUntilExit()
            guard p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL else { return false }
            kills += 1
            ended = execution.flatMap { Self.succeeded($0, in: dir) } ?? ended
            return true
        }
        while kills < 10 && attempts < 20 {
            attempts += 1
            // The synchronous chain outruns the test's polling (a host runs thousands of nodes between two looks at
            // the store), so each of its hosts also kills itself at a random link of its chain (a call's start, with
            // the store's writer anywhere in its batch): enough kills land however fast the chain has become.
            let env =
                type == "echo"
                ? [:] : ["ALOFT_TEST_KILL_AT": "sync-chain-call@\(Int.random(in: 100...1_500, using: &random))"]
            let p = try CLI.start(execution.map { ["resume", $0] } ?? ["run", "chain.yaml"], cwd: dir, env: env)
            if execution == nil {
                // Compiling 10,000 nodes takes a while: the first kill lands once the execution exists.
                let deadline = Date().addingTimeInterval(120)
                while execution == nil && p.isRunning && Date() < deadline {
                    usleep(50_000)
                    execution = try? SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite").executions(
                        project: nil, domain: nil, limit: 1
                    ).first?.id
                }
            }
            // A resumed host first runs the node the last one died in: killed before it got past that node, the
            // same attempt would count a second death in its calls and fail (issue 16's rule, not what this
            // soaks). So each resumed host is killed only once it ended a node the last one had not (a kill point
            // is in the chain, after that node).
            if let execution, Self.succeeded(execution, in: dir, after: ended, while: p) == nil {
                if killed(p) { continue }
                break  // it finished
            }
            // Then at a random moment of the chain: a synchronous chain runs on the plugin's thread at some 100 µs a
            // node in the debug build, the asynchronous one some 300 µs; either must take several kills.
            usleep(UInt32.random(in: type == "echo" ? 20_000...300_000 : 1_000...40_000, using: &random))
            if !p.isRunning {
                if killed(p) { continue }
                break  // it finished before this kill
            }
            kill(p.processIdentifier, SIGKILL)
            _ = killed(p)
        }
        let id = try #require(execution, "no execution was created before the first kill (seed \(seed))")
        let end = try CLI.run(["resume", id], cwd: dir, env: ["HOME": dir], limit: .seconds(300))
        #expect(end.status == 0, "seed \(seed): \(end.stdout)\(end.stderr)")
        #expect(end.stdout.contains("succeeded: \(id)\n  x = 7"), "seed \(seed): \(end.stdout)")
        #expect(kills >= 5, "seed \(seed): only \(kills) kills landed before the run ended")
        let nodesAfter = try SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite").nodes(execution: id)
        #expect(nodesAfter.count == Self.length && nodesAfter.allSatisfy { $0.state.phase == .succeeded })
        #expect(nodesAfter.allSatisfy { $0.state.attempt == 0 }, "seed \(seed): a node ran a second attempt")
        guard type == "echo" else { return }  // run_sync calls are not journaled

        // Every node was submitted, each under one task execution id (attempt 0: none failed).
        let submits = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("submit ") }.map { String($0.dropFirst("submit ".count)) }
        var ids: [String: Set<String>] = [:]
        for taskID in submits {
            let parts = taskID.split(separator: "-")
            let node = parts.count >= 3 ? String(parts[parts.count - 3]) : taskID
            ids[node, default: []].insert(taskID)
        }
        #expect(ids.count == Self.length, "seed \(seed): \(ids.count) nodes submitted")
        let twice = ids.filter { $0.value.count > 1 }.keys.sorted()
        #expect(twice.isEmpty, "seed \(seed), \(kills) kills: submitted under two ids: \(twice.prefix(10))")
    }
}
