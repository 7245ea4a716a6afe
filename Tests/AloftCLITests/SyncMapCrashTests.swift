import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// Issue 18: a map over the synchronous `c-echo-sync` runs its items in batches, each batch's marks committed
/// before its first call and its ends after its last. A host SIGKILLed once a batch's calls are made and
/// before its ends are committed (ALOFT_TEST_KILL_AT=sync-batch-called) leaves those items marked as in a
/// call; the resume counts one host death for each marked item, and for no other, runs each again in the
/// same attempt, and ends with every item's output right.
@Suite(.timeLimit(.minutes(5))) struct SyncMapCrashTests {
    @Test func aHostKilledMidBatchResumesWithEveryItemRightAndEachDeathCountedOnce() throws {
        let items = 2_000
        let dir = try CLI.cEchoDirectory()
        try """
        plugins:
          paths: [\(dir)]
          builtin: false
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        let xs = "[" + (0..<items).map { String($0 * 3) }.joined(separator: ",") + "]"
        try """
        tasks:
          e: {type: c-echo-sync, inputs: {x: integer}, outputs: {x: integer}}
        workflows:
          w:
            inputs: {xs: {type: list<integer>, default: \(xs)}}
            outputs: {xs: {type: "list<optional<integer>>", from: $m.x}}
            nodes: [{id: m, map: {task: e, over: {x: $inputs.xs}, concurrency: 8}}]
        """.write(toFile: dir + "/map.yaml", atomically: true, encoding: .utf8)
        let crashed = try CLI.run(
            ["run", "map.yaml"], cwd: dir, env: ["HOME": dir, "ALOFT_TEST_KILL_AT": "sync-batch-called"])
        #expect(
            crashed.status == 128 + SIGKILL || crashed.status == SIGKILL,
            "the host was not killed in a batch: \(crashed.status) \(crashed.stderr)")
        let store = try SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite")
        let id = try #require(try store.executions(project: nil, domain: nil, limit: 1).first?.id)
        // What the crash left: items marked as in run_sync (at least the killed batch: 250 items), maybe some
        // ended (another batch's commit may carry ends queued before the kill), none in any other state.
        let left = try store.nodes(execution: id).filter { $0.node.hasPrefix("m[") }
        let marked = Set(left.filter { $0.state.callInFlight?.call == "run_sync" }.map(\.node))
        #expect(marked.count >= items / 8, "\(marked.count) items marked")
        #expect(
            left.allSatisfy {
                marked.contains($0.node) ? $0.state.phase == .running : $0.state.phase == .succeeded
            })

        let resumed = try CLI.run(["resume", id], cwd: dir, env: ["HOME": dir], limit: .seconds(240))
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let after = try store.nodes(execution: id).filter { $0.node.hasPrefix("m[") }
        #expect(after.count == items)
        #expect(after.allSatisfy { $0.state.phase == .succeeded && $0.state.attempt == 0 })
        #expect(after.allSatisfy { n in n.outputs == ["x": .integer(Int64(Int(n.node.dropFirst(2).dropLast())! * 3))] })
        // One death counted per marked item, none for any other item.
        let deaths = (resumed.stdout + resumed.stderr).split(separator: "\n").filter {
            $0.contains("the host died during plugin")
        }
        let counted = deaths.compactMap { line -> String? in
            guard let start = line.range(of: "node m[")?.lowerBound, let end = line[start...].firstIndex(of: "]")
            else { return nil }
            return String(line[line.index(start, offsetBy: 5)...end])
        }
        #expect(counted.count == marked.count && Set(counted) == marked, "\(deaths.prefix(3))")
    }
}
