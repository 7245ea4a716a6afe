import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// Issue 18: a chain of the synchronous `c-echo-sync` runs as one job on the plugin's thread, each call's
/// mark in the execution's call journal (a memory-mapped file, not a store commit), the ends committed in
/// groups. A host SIGKILLed just as node n500's call starts (ALOFT_TEST_KILL_AT=sync-chain-call@500) leaves
/// that call in the journal and some ends before it uncommitted; the resume counts one host death, for n500
/// and no other node, computes the uncommitted nodes again, and ends right with every node in its first
/// attempt and the journal gone.
@Suite(.timeLimit(.minutes(5))) struct SyncChainCrashTests {
    @Test func aHostKilledInAJournaledCallResumesWithThatDeathCountedOnce() throws {
        let length = 1_000
        let dir = try CLI.cEchoDirectory()
        try """
        plugins:
          paths: [\(dir)]
          builtin: false
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        var nodes = ["      - {id: n0, task: e, inputs: {x: $inputs.x}}"]
        for i in 1..<length { nodes.append("      - {id: n\(i), task: e, inputs: {x: $n\(i - 1).x}}") }
        try """
        tasks:
          e: {type: c-echo-sync, inputs: {x: integer}, outputs: {x: integer}}
        workflows:
          w:
            inputs: {x: {type: integer, default: 7}}
            outputs: {x: {type: integer, from: $n\(length - 1).x}}
            nodes:
        \(nodes.joined(separator: "\n"))
        """.write(toFile: dir + "/chain.yaml", atomically: true, encoding: .utf8)
        let crashed = try CLI.run(
            ["run", "chain.yaml"], cwd: dir, env: ["HOME": dir, "ALOFT_TEST_KILL_AT": "sync-chain-call@500"])
        #expect(
            crashed.status == 128 + SIGKILL || crashed.status == SIGKILL,
            "the host was not killed in the chain: \(crashed.status) \(crashed.stderr)")
        let store = try SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite")
        let id = try #require(try store.executions(project: nil, domain: nil, limit: 1).first?.id)
        // What the crash left: n500 has no record (its mark is in the journal only), nothing after it ran, no
        // node is marked as in a call, and the journal holds this host's file.
        let left = Dictionary(uniqueKeysWithValues: try store.nodes(execution: id).map { ($0.node, $0) })
        #expect(left["n500"] == nil && left["n501"] == nil)
        #expect(left.values.allSatisfy { $0.state.phase == .succeeded && $0.state.callInFlight == nil })
        let journal = dir + "/.aloft/calls/" + id
        #expect((try? FileManager.default.contentsOfDirectory(atPath: journal))?.count == 1)

        let resumed = try CLI.run(["resume", id], cwd: dir, env: ["HOME": dir], limit: .seconds(240))
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let after = try store.nodes(execution: id)
        #expect(after.count == length)
        #expect(after.allSatisfy { $0.state.phase == .succeeded && $0.state.attempt == 0 })
        #expect(after.allSatisfy { $0.outputs == ["x": .integer(7)] && $0.state.callInFlight == nil })
        #expect(try store.execution(id: id)?.outputs == ["x": .integer(7)])
        let deaths = (resumed.stdout + resumed.stderr).split(separator: "\n").filter {
            $0.contains("the host died during plugin")
        }
        #expect(deaths.count == 1 && deaths.first?.contains("node n500:") == true, "\(deaths)")
        #expect(!FileManager.default.fileExists(atPath: journal), "the journal outlived its execution")
    }
}
