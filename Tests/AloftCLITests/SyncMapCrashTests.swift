import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// Issue 18: a map over the synchronous `c-echo-sync` runs its items in batches: each batch's first item's mark
/// committed before its first call, each later item's call marked in the execution's call journal (a
/// memory-mapped slot) just before it is made, the ends committed after the last call. A host SIGKILLed once
/// a batch's calls are made and before its ends are committed (ALOFT_TEST_KILL_AT=sync-batch-called), or
/// inside a journaled call (sync-batch-call@n), leaves some items marked (in the store, or in the journal);
/// the resume counts one host death for each marked item, and for no other, runs each again in the same
/// attempt, and ends with every item's output right.
@Suite(.timeLimit(.minutes(5))) struct SyncMapCrashTests {
    static let items = 2_000

    @Test func aHostKilledMidBatchResumesWithEveryItemRightAndEachDeathCountedOnce() throws {
        let crash = try Crash(killAt: "sync-batch-called")
        // What the crash left: items marked as in run_sync in the store (the first of the killed batch, and of
        // any other batch begun), maybe some ended (another batch's commit may carry ends queued before the
        // kill), none in any other state; in the journal, the calls other batches were making (on the plugin's
        // other threads), not the killed batch's (its calls had returned).
        #expect(!crash.marked.isEmpty && crash.marked.count <= 8, "\(crash.marked.count) items marked")
        #expect(
            crash.left.allSatisfy {
                crash.marked.contains($0.node) ? $0.state.phase == .running : $0.state.phase == .succeeded
            })
        try crash.resumeAndCheck()
    }

    @Test func aHostKilledInAJournaledCallCountsThatItemsDeathAndNoOther() throws {
        let crash = try Crash(killAt: "sync-batch-call@300")
        // The call the host died in is in the journal only (no row); the batches' first items are marked rows.
        #expect(!crash.journaled.isEmpty, "no call in the journal")
        #expect(crash.left.count < Self.items / 2, "\(crash.left.count) items have rows: the kill came late")
        try crash.resumeAndCheck()
    }

    /// A map run SIGKILLed at `killAt`, and what it left: the items' rows, those marked as in run_sync, and
    /// the items whose call the journal names.
    struct Crash {
        let dir: String
        let store: SQLiteMetadataStore
        let id: String
        let left: [NodeRecord]
        let marked: Set<String>
        let journaled: Set<String>

        init(killAt: String) throws {
            dir = try SyncMapCrashTests.map(SyncMapCrashTests.items)
            let crashed = try CLI.run(["run", "map.yaml"], cwd: dir, env: ["HOME": dir, "ALOFT_TEST_KILL_AT": killAt])
            #expect(
                crashed.status == 128 + SIGKILL || crashed.status == SIGKILL,
                "the host was not killed at \(killAt): \(crashed.status) \(crashed.stderr)")
            store = try SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite")
            id = try #require(try store.executions(project: nil, domain: nil, limit: 1).first?.id)
            left = try store.nodes(execution: id).filter { $0.node.hasPrefix("m[") }
            marked = Set(left.filter { $0.state.callInFlight?.call == "run_sync" }.map(\.node))
            journaled = try SyncMapCrashTests.journaled(dir, id)
            #expect(journaled.count <= 8 && journaled.isDisjoint(with: left.map(\.node)), "\(journaled)")
        }

        /// Resumes: every item succeeds in its first attempt with its output, one host death is counted for
        /// each marked or journaled item and for no other, and the journal goes with the execution.
        func resumeAndCheck() throws {
            let resumed = try CLI.run(["resume", id], cwd: dir, env: ["HOME": dir], limit: .seconds(240))
            #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
            let after = try store.nodes(execution: id).filter { $0.node.hasPrefix("m[") }
            #expect(after.count == SyncMapCrashTests.items)
            #expect(after.allSatisfy { $0.state.phase == .succeeded && $0.state.attempt == 0 })
            #expect(
                after.allSatisfy { n in n.outputs == ["x": .integer(Int64(Int(n.node.dropFirst(2).dropLast())! * 3))] })
            let counted = SyncMapCrashTests.deaths(resumed)
            #expect(counted.count == marked.count + journaled.count, "\(counted.count) deaths")
            #expect(Set(counted) == marked.union(journaled), "\(counted.prefix(5))")
            #expect(
                !FileManager.default.fileExists(atPath: dir + "/.aloft/calls/" + id), "the journal outlived its run")
        }
    }

    /// A directory with the c-echo plugin and a map of `items` over `c-echo-sync` (item i's output is 3i).
    static func map(_ items: Int) throws -> String {
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
        return dir
    }

    /// The nodes whose call the execution's journal files say is in flight (CallJournal's slots: a little-endian
    /// path length, the attempt, the path; length 0 for a free slot).
    static func journaled(_ dir: String, _ id: String) throws -> Set<String> {
        let journal = dir + "/.aloft/calls/" + id
        var nodes = Set<String>()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: journal)) ?? [] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: journal + "/" + name)))
            for at in stride(from: 0, to: bytes.count - 511, by: 512) {
                let length =
                    Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
                if length > 0 { nodes.insert(String(decoding: bytes[(at + 8)..<(at + 8 + length)], as: UTF8.self)) }
            }
        }
        return nodes
    }

    /// The nodes the resume counted a host death for, one entry per death.
    static func deaths(_ resumed: CLI.Result) -> [String] {
        (resumed.stdout + resumed.stderr).split(separator: "\n").filter { $0.contains("the host died during plugin") }
            .compactMap { line -> String? in
                guard let start = line.range(of: "node m[")?.lowerBound, let end = line[start...].firstIndex(of: "]")
                else { return nil }
                return String(line[line.index(start, offsetBy: 5)...end])
            }
    }
}
