import AloftWire
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import AloftEngine

/// Who commits a waited write (issue 18): from async code a wait only suspends and the writer's queue
/// commits; a host-owned thread commits its own batch (`commitNow`). Many of both at once all end durable,
/// and nothing blocks a thread of Swift's cooperative pool (a commit there once hung both of its threads).
@Suite(.timeLimit(.minutes(5))) struct GroupCommitWaitedTests {
    private func store() throws -> SQLiteMetadataStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gcw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SQLiteMetadataStore(path: dir + "/metadata.sqlite")
        try store.createExecution(
            ExecutionRecord(id: "e", project: "p", domain: "development", workflow: "w", spec: [], inputs: [:]))
        return store
    }

    private func node(_ name: String, _ message: String = "") -> NodeRecord {
        var record = NodeRecord(execution: "e", node: name, state: NodeState(budget: RetryBudget(user: 0)))
        record.statusMessage = message
        return record
    }

    /// Runs `body(i)` for i in 0..<count on threads of Dispatch's own (not Swift's cooperative pool).
    private func onHostThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                DispatchQueue.concurrentPerform(iterations: count, execute: body)
                c.resume()
            }
        }
    }

    @Test func anAsyncWaitIsCommittedByTheWritersQueue() async throws {
        let store = try store()
        let writer = GroupCommitWriter(store: store)
        let ticket = writer.enqueue(node("a"))
        #expect(await writer.wait(ticket) == nil)
        #expect(writer.isDurable(ticket))
        #expect(try store.nodes(execution: "e").map(\.node) == ["a"])
    }

    /// A write queued for its caller to commit, whose caller waits from async code instead: the wait wakes
    /// the writer's queue, so it cannot be left behind.
    @Test func aCallerCommittedWriteWaitedForFromAsyncCodeIsCommitted() async throws {
        let store = try store()
        let writer = GroupCommitWriter(store: store)
        let ticket = writer.enqueue(node("a"), committedByCaller: true)
        #expect(!writer.isDurable(ticket))
        #expect(await writer.wait(ticket) == nil)
        #expect(writer.isDurable(ticket))
        let flushed = writer.enqueue(node("b"), committedByCaller: true)
        await writer.flush()
        #expect(writer.isDurable(flushed))
        #expect(try store.nodes(execution: "e").map(\.node).sorted() == ["a", "b"])
    }

    @Test func aHostThreadCommitsItsOwnWrite() async throws {
        let store = try store()
        let writer = GroupCommitWriter(store: store)
        let ticket = writer.enqueue(node("a"), committedByCaller: true)
        let outcome = Mutex<String??>(.none)
        await onHostThreads(1) { _ in
            let o = writer.commitNow(ticket)
            outcome.withLock { $0 = .some(o) }
        }
        #expect(outcome.withLock { $0 } == .some(nil))
        #expect(writer.isDurable(ticket))
        #expect(try store.nodes(execution: "e").map(\.node) == ["a"])
    }

    /// 64 tasks writing and waiting at once (on a 2-thread pool in CI) beside 8 host threads committing their
    /// own writes: every write ends durable as last given, none hangs.
    @Test func manyAsyncWaitersAndHostCommittersAllCommit() async throws {
        let store = try store()
        let writer = GroupCommitWriter(store: store)
        let failures = Mutex(0)
        async let hosts: Void = onHostThreads(8) { i in
            for round in 0..<50 {
                let ticket = writer.enqueue(node("h\(i)", "round \(round)"), committedByCaller: true)
                if writer.commitNow(ticket) != nil || !writer.isDurable(ticket) { failures.withLock { $0 += 1 } }
            }
        }
        await withTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    for round in 0..<20 {
                        let ticket = writer.enqueue(node("n\(i)", "round \(round)"))
                        guard await writer.wait(ticket) == nil, writer.isDurable(ticket) else { return false }
                    }
                    return true
                }
            }
            for await ok in group { #expect(ok) }
        }
        await hosts
        #expect(failures.withLock { $0 } == 0)
        let nodes = try store.nodes(execution: "e")
        #expect(nodes.count == 72)
        #expect(nodes.allSatisfy { $0.statusMessage == ($0.node.hasPrefix("h") ? "round 49" : "round 19") })
    }
}
