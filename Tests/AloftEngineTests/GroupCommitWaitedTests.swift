import AloftWire
import Foundation
import Testing

@testable import AloftEngine

/// A write queued as `waited` queues no drain of its own: the wait that follows must commit it, whether it
/// leads its batch or another committer holds the writer meanwhile.
@Suite(.timeLimit(.minutes(1))) struct GroupCommitWaitedTests {
    private func store() throws -> SQLiteMetadataStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gcw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SQLiteMetadataStore(path: dir + "/metadata.sqlite")
        try store.createExecution(
            ExecutionRecord(id: "e", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
        return store
    }

    private func node(_ name: String) -> NodeRecord {
        NodeRecord(execution: "e", node: name, state: NodeState(budget: RetryBudget(user: 0)))
    }

    @Test func aWaitedWriteIsCommittedByItsWait() async throws {
        let store = try store()
        let writer = GroupCommitWriter(store: store)
        let ticket = writer.enqueue(node("a"), waited: true)
        #expect(!writer.isDurable(ticket))
        #expect(await writer.wait(ticket) == nil)
        #expect(writer.isDurable(ticket))
        #expect(try store.nodes(execution: "e").map(\.node) == ["a"])
    }

    /// Many tasks at once, each writing as `waited` and waiting: every write ends durable, none hangs.
    @Test func concurrentWaitedWritesAllCommit() async throws {
        let store = try store()
        let writer = GroupCommitWriter(store: store)
        await withTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    for round in 0..<20 {
                        var record = node("n\(i)")
                        record.statusMessage = "round \(round)"
                        let ticket = writer.enqueue(record, waited: true)
                        guard await writer.wait(ticket) == nil, writer.isDurable(ticket) else { return false }
                    }
                    return true
                }
            }
            for await ok in group { #expect(ok) }
        }
        #expect(try store.nodes(execution: "e").count == 64)
    }
}
