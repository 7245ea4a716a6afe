import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// SIGKILL a running `aloft run` at several points, then `aloft resume`: the outputs are right, no node that
/// had succeeded runs again, and no node whose resource state was persisted is submitted again.
@Suite(.timeLimit(.minutes(5))) struct CrashResumeTests {
    struct Setup {
        let dir: String
        let journal: String
    }

    /// A chain of four echo tasks on the C echo plugin, each taking `delayMs` (long enough that a kill or an
    /// abort aimed at one node lands while it runs, even when a loaded machine stalls the test for a second or
    /// two), with a submit journal.
    static func setup(delayMs: Int = 2000) throws -> Setup {
        let dir = try CLI.cEchoDirectory()
        let journal = dir + "/journal.txt"
        try """
        plugins:
          paths: [\(dir)]
          builtin: false
          config:
            example.c-echo: {journal: \(journal)}
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        try """
        tasks:
          slow:
            type: echo
            inputs: {x: integer}
            outputs: {x: integer}
            config: {delay_ms: \(delayMs)}
        workflows:
          chain:
            inputs: {x: {type: integer, default: 7}}
            outputs: {x: {type: integer, from: $d.x}}
            nodes:
              - {id: a, task: slow, inputs: {x: $inputs.x}}
              - {id: b, task: slow, inputs: {x: $a.x}}
              - {id: c, task: slow, inputs: {x: $b.x}}
              - {id: d, task: slow, inputs: {x: $c.x}}
        """.write(toFile: dir + "/chain.yaml", atomically: true, encoding: .utf8)
        return Setup(dir: dir, journal: journal)
    }

    static func journal(_ s: Setup) -> [String] {
        ((try? String(contentsOfFile: s.journal, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.hasPrefix("submit ") }.map { String($0.dropFirst("submit ".count)) }
    }

    /// Starts `aloft run`, waits until `ready` holds for the store, then kills it with SIGKILL.
    static func runAndKill(_ s: Setup, when ready: (SQLiteMetadataStore, [String]) -> Bool) throws -> String {
        let p = try CLI.start(["run", "chain.yaml"], cwd: s.dir)
        let deadline = Date().addingTimeInterval(30)
        var killed = false
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: s.dir + "/.aloft/metadata.sqlite"),
                let store = try? SQLiteMetadataStore(path: s.dir + "/.aloft/metadata.sqlite"),
                ready(store, journal(s))
            {
                kill(p.processIdentifier, SIGKILL)
                killed = true
                break
            }
            usleep(2000)
        }
        p.waitUntilExit()
        #expect(
            killed,
            "the kill point was never reached; aloft said: \((try? String(contentsOfFile: s.dir + "/aloft-stderr.log", encoding: .utf8)) ?? "")"
        )
        #expect(p.terminationReason == .uncaughtSignal)
        let store = try SQLiteMetadataStore(path: s.dir + "/.aloft/metadata.sqlite")
        return try #require(try store.executions(project: nil, domain: nil, limit: 1).first?.id)
    }

    static func nodes(_ s: Setup, _ id: String) throws -> [NodeRecord] {
        try SQLiteMetadataStore(path: s.dir + "/.aloft/metadata.sqlite").nodes(execution: id)
    }

    enum KillPoint: String, CaseIterable {
        case afterFirstSubmit, whileSecondRuns, whileThirdRuns
    }

    @Test(arguments: KillPoint.allCases)
    func resumeFinishesWithoutRunningAnythingTwice(point: KillPoint) throws {
        let s = try Self.setup()
        let id = try Self.runAndKill(s) { store, journal in
            guard let e = try? store.executions(project: nil, domain: nil, limit: 1).first,
                let nodes = try? store.nodes(execution: e.id)
            else { return false }
            let phase = Dictionary(uniqueKeysWithValues: nodes.map { ($0.node, $0) })
            switch point {
            case .afterFirstSubmit: return journal.count >= 1
            case .whileSecondRuns: return phase["a"]?.state.phase == .succeeded && phase["b"]?.resourceState != nil
            case .whileThirdRuns: return phase["b"]?.state.phase == .succeeded && phase["c"]?.resourceState != nil
            }
        }
        // What the store says at the moment of the crash.
        let before = try Self.nodes(s, id)
        let succeeded = Set(before.filter { $0.state.phase == .succeeded }.map(\.node))
        let attached = Set(
            before.filter { $0.state.phase == .running && $0.resourceState != nil }.compactMap(\.taskExecutionID))
        let submitsBefore = Self.journal(s).count

        let resumed = try CLI.run(["resume", id], cwd: s.dir, env: ["HOME": s.dir])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("succeeded: \(id)\n  x = 7"))

        let after = try Self.nodes(s, id)
        #expect(
            after.filter { ["a", "b", "c", "d"].contains($0.node) }.allSatisfy {
                $0.state.phase == .succeeded && $0.state.attempt == 0
            })
        let newSubmits = Array(Self.journal(s).dropFirst(submitsBefore))
        // Nodes that had succeeded were not submitted again; nodes with persisted state were re-attached.
        for node in succeeded { #expect(!newSubmits.contains { $0.hasPrefix("\(id)-\(node)-") }, "\(node) ran again") }
        for taskID in attached {
            #expect(!newSubmits.contains(taskID), "\(taskID) was submitted again instead of polled")
        }
        // Every node was submitted by someone, and in all at most once more than there were unpersisted submits.
        let all = Set(Self.journal(s))
        #expect(all.count == 4)
        #expect(point != .whileThirdRuns || (succeeded.isSuperset(of: ["a", "b"]) && attached.count == 1))
    }

    @Test func abortedByCtrlCRecordsAborted() throws {
        let s = try Self.setup(delayMs: 60_000)
        let out = Pipe()
        let p = try CLI.start(["run", "chain.yaml"], cwd: s.dir, capture: out)
        while Self.journal(s).isEmpty { usleep(2000) }
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 3, "\(text)")
        #expect(text.contains("aborted: "))
        let store = try SQLiteMetadataStore(path: s.dir + "/.aloft/metadata.sqlite")
        let e = try #require(try store.executions(project: nil, domain: nil, limit: 1).first)
        #expect(e.phase == .aborted)
        let nodes = try store.nodes(execution: e.id)
        #expect(nodes.first { $0.node == "a" }?.state.phase == .aborted)
        #expect(nodes.filter { ["b", "c", "d"].contains($0.node) }.allSatisfy { $0.state.phase == .skipped })
    }
}
