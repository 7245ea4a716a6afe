import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// Issue 19's load-and-faults run, scaled to CI time: 3 workers share 660 executions on PostgreSQL (600 of a
/// 20-node echo chain, 60 of a 2-second process task with a journal) while one random worker is SIGKILLed
/// every 1-2.5 seconds and a new one started. At the end every execution succeeded, no process task started twice, and
/// no execution is left queued, running or leased. ALOFT_SOAK_SEED picks the kill schedule (default 19).
@Suite(.timeLimit(.minutes(6)), .enabled(if: PostgresPeer.available)) struct WorkerSoakTests {
    @Test func workersKilledAtRandomLoseNothingAndStartNothingTwice() throws {
        let h = try WorkerHarness("soak", sleep: 2)
        let chain = try h.enqueue(h.dir + "/chain.yaml")
        let journaled = try h.enqueue(h.dir + "/journal.yaml")
        let ids =
            [chain, journaled] + (try h.enqueueCopies(of: chain, count: 599))
            + (try h.enqueueCopies(of: journaled, count: 59))
        let seed = UInt64(ProcessInfo.processInfo.environment["ALOFT_SOAK_SEED"] ?? "") ?? 19
        var random = CrashSoakTests.Seeded(state: seed)
        let arguments = ["--concurrency", "4", "--lease-seconds", "2"]
        var next = 1
        var workers: [Int: Process] = [:]
        var everyWorker: [Process] = []
        defer { WorkerHarness.kill(everyWorker) }
        for _ in 0..<3 {
            workers[next] = try h.startWorker(next, arguments)
            everyWorker.append(workers[next]!)
            next += 1
        }
        var kills = 0
        let deadline = Date().addingTimeInterval(240)
        while !h.allEnded(ids) && Date() < deadline {
            usleep(UInt32(1_000_000 + random.next() % 1_500_000))
            let victim = workers.keys.sorted()[Int(random.next() % UInt64(workers.count))]
            kill(workers[victim]!.processIdentifier, SIGKILL)
            workers[victim]!.waitUntilExit()
            workers[victim] = nil
            kills += 1
            workers[next] = try h.startWorker(next, arguments)
            everyWorker.append(workers[next]!)
            next += 1
        }
        let ended = WorkerHarness.wait(60) { h.allEnded(ids) }
        #expect(ended, "\(ids.filter { h.phase($0) != .succeeded }.count) executions did not end")
        #expect(kills >= 3, "only \(kills) workers were killed before the run ended")
        let failed = ids.filter { h.phase($0) != .succeeded }
        #expect(failed.isEmpty, "not succeeded: \(failed.prefix(5)) \(failed.first.map { h.phase($0) } ?? nil)")
        usleep(1_500_000)
        let lines = h.journalLines
        #expect(lines.count == 60 && Set(lines).count == 60, "\(lines.count) starts of 60 journaled tasks")
        // None left without an owner: nothing queued, nothing leased once every execution has ended.
        let leased = try h.store.leases(prefix: "execution/").filter(\.isLive)
        #expect(leased.isEmpty, "\(leased.map(\.name))")
        let (took, killed) = ((1..<next).filter { h.log($0).contains("taking over ") }.count, kills)
        #expect(took >= 1, "no worker took over an execution after \(killed) kills")
    }
}
