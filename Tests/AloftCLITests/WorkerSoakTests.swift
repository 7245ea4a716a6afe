import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// Issue 19's load-and-faults run, scaled to CI time: 3 workers share 660 executions on PostgreSQL (600 of a
/// 20-node echo chain, 60 of a 2-second process task with a journal) while, every 1-2.5 seconds, one random
/// worker is SIGKILLed (and a new one started) or frozen for 4 seconds, past its 2-second lease (it wakes to find
/// its executions taken over, must stop driving them, and exits). At the end every execution succeeded, no process
/// task started twice, and no execution is left queued, running or leased. ALOFT_SOAK_SEED picks the schedule
/// (default 19).
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
        var (kills, freezes) = (0, 0)
        let deadline = Date().addingTimeInterval(240)
        while !h.allEnded(ids) && Date() < deadline {
            usleep(UInt32(1_000_000 + random.next() % 1_500_000))
            let victim = workers.keys.sorted()[Int(random.next() % UInt64(workers.count))]
            let pid = workers[victim]!.processIdentifier
            if random.next() % 2 == 0 {
                // Frozen past its lease (2 s): another worker takes its executions over, and it must stop
                // driving them when it wakes.
                kill(pid, SIGSTOP)
                DispatchQueue.global().asyncAfter(deadline: .now() + 4) { kill(pid, SIGCONT) }
                freezes += 1
            } else {
                kill(pid, SIGKILL)
                workers[victim]!.waitUntilExit()
                kills += 1
            }
            // Every worker that ended is replaced: the one just killed, and one that woke to find an execution
            // of its taken over (it exits).
            for (n, p) in workers where !p.isRunning {
                workers[n] = nil
                workers[next] = try h.startWorker(next, arguments)
                everyWorker.append(workers[next]!)
                next += 1
            }
        }
        let ended = WorkerHarness.wait(60) { h.allEnded(ids) }
        #expect(ended, "\(ids.filter { h.phase($0) != .succeeded }.count) executions did not end")
        #expect(kills >= 3 && freezes >= 3, "only \(kills) kills and \(freezes) freezes before the run ended")
        let failed = ids.filter { h.phase($0) != .succeeded }
        let why = failed.prefix(5).map { h.why($0, workers: next - 1) }.joined(separator: "\n")
        #expect(failed.isEmpty, "not succeeded:\n\(why)")
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
