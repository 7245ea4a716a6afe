import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// Issue 19: `run --detach` queues, `aloft worker` processes on a real PostgreSQL server share the queue; a
/// dead worker's execution is taken over once its lease expires and resumed without starting its task again
/// (the journal); SIGTERM drains; a restarted server is reconnected to; abort reaches a worker's execution.
@Suite(.timeLimit(.minutes(5)), .enabled(if: PostgresPeer.available)) struct WorkerTests {
    @Test func aDetachedExecutionIsQueuedAndAWorkerRunsItToSuccess() throws {
        let h = try WorkerHarness("detach")
        let id = try h.enqueue(h.dir + "/chain.yaml")
        #expect(h.phase(id) == .queued)
        let list = try CLI.run(["executions", "list", "--store", h.url], cwd: h.dir, env: h.env)
        #expect(list.stdout.contains("\(id)  queued "), "\(list.stdout)")

        let w = try h.startWorker(1, ["--concurrency", "2"])
        defer { WorkerHarness.kill([w]) }
        #expect(WorkerHarness.wait(60) { h.phase(id) == .succeeded }, "\(h.log(1))")
        #expect(try h.store.execution(id: id)?.outputs?["x"] != nil)
        #expect(h.log(1).contains("running \(id)\n") && h.log(1).contains("succeeded: \(id)\n"), "\(h.log(1))")
        #expect(try h.store.lease("execution/" + id) == nil, "the lease outlived the run")

        kill(w.processIdentifier, SIGTERM)
        #expect(WorkerHarness.wait(30) { !w.isRunning })
        #expect(w.terminationStatus == 0 && h.log(1).contains("drained: no execution left running"), "\(h.log(1))")
    }

    @Test func twoWorkersNeverRunTheSameExecution() throws {
        let h = try WorkerHarness("two", sleep: 0.2)
        let first = try h.enqueue(h.dir + "/journal.yaml")
        let ids = [first] + (try h.enqueueCopies(of: first, count: 23))
        let workers = try [1, 2].map { try h.startWorker($0, ["--concurrency", "4"]) }
        defer { WorkerHarness.kill(workers) }
        #expect(WorkerHarness.wait(150) { h.allEnded(ids) }, "\(h.log(1))\(h.log(2))")
        #expect(ids.allSatisfy { h.phase($0) == .succeeded })
        let lines = h.journalLines
        #expect(lines.count == ids.count && Set(lines).count == ids.count, "\(lines)")
        // Each execution ran once, by one worker.
        for id in ids {
            let runs = [h.log(1), h.log(2)].map { $0.components(separatedBy: "running \(id)\n").count - 1 }
            #expect(runs.reduce(0, +) == 1, "\(id) was claimed \(runs) times")
        }
    }

    @Test func aKilledWorkersExecutionIsTakenOverWithoutStartingItsTaskAgain() throws {
        let h = try WorkerHarness("takeover", sleep: 4)
        let id = try h.enqueue(h.dir + "/journal.yaml")
        let a = try h.startWorker(1, ["--lease-seconds", "2"])
        defer { WorkerHarness.kill([a]) }
        #expect(WorkerHarness.wait(60) { h.journalLines.count == 1 }, "\(h.log(1))")
        kill(a.processIdentifier, SIGKILL)
        a.waitUntilExit()
        #expect(h.phase(id) == .running)

        let b = try h.startWorker(2, ["--lease-seconds", "2"])
        defer { WorkerHarness.kill([b]) }
        #expect(WorkerHarness.wait(60) { h.phase(id) == .succeeded }, "\(h.log(2))")
        #expect(h.log(2).contains("taking over \(id)\n"), "\(h.log(2))")
        #expect(try h.store.execution(id: id)?.outputs?["n"] != nil)
        usleep(500_000)
        #expect(h.journalLines.count == 1, "the task started \(h.journalLines.count) times")
    }

    /// A worker frozen (SIGSTOP) past its lease finds, when it wakes, that another took its execution over:
    /// it stops instead of driving it too, and the task still starts once.
    @Test func aWorkerFrozenPastItsLeaseStopsWhenItWakesInsteadOfDrivingItToo() throws {
        // The task outlasts the takeover and the wake-up with seconds to spare on a loaded machine, and the
        // lease (renewed every third of it) survives a stall of B's of over two seconds.
        let h = try WorkerHarness("frozen", sleep: 20)
        let id = try h.enqueue(h.dir + "/journal.yaml")
        let a = try h.startWorker(1, ["--lease-seconds", "4"])
        defer { WorkerHarness.kill([a]) }
        #expect(WorkerHarness.wait(60) { h.journalLines.count == 1 }, "\(h.log(1))")
        kill(a.processIdentifier, SIGSTOP)
        let b = try h.startWorker(2, ["--lease-seconds", "4"])
        defer { WorkerHarness.kill([b]) }
        #expect(WorkerHarness.wait(60) { h.log(2).contains("taking over \(id)\n") }, "\(h.log(2))")
        kill(a.processIdentifier, SIGCONT)
        #expect(WorkerHarness.wait(30) { !a.isRunning }, "\(h.log(1))")
        #expect(a.terminationStatus == 1 && h.log(1).contains("lost the lease of \(id)"), "\(h.log(1))")
        #expect(WorkerHarness.wait(60) { h.phase(id) == .succeeded }, "\(h.log(2))")
        usleep(500_000)
        #expect(h.journalLines.count == 1, "the task started \(h.journalLines.count) times")
    }

    @Test func sigtermHandsBackWhatOutlivesTheGracePeriodAndAnotherWorkerResumesItAtOnce() throws {
        // The task outlasts the grace period by seconds, so it is still running to be handed back.
        let h = try WorkerHarness("drain", sleep: 10)
        let id = try h.enqueue(h.dir + "/journal.yaml")
        // A lease far longer than the test: only a handed-back lease lets worker 2 in.
        let a = try h.startWorker(1, ["--grace-seconds", "1", "--lease-seconds", "600"])
        defer { WorkerHarness.kill([a]) }
        #expect(WorkerHarness.wait(60) { h.journalLines.count == 1 }, "\(h.log(1))")
        kill(a.processIdentifier, SIGTERM)
        #expect(WorkerHarness.wait(30) { !a.isRunning })
        #expect(a.terminationStatus == 0, "\(h.log(1))")
        #expect(h.log(1).contains("handed back 1 running execution(s): \(id)\n"), "\(h.log(1))")
        #expect(try h.store.lease("execution/" + id) == nil)

        let b = try h.startWorker(2, ["--lease-seconds", "600"])
        defer { WorkerHarness.kill([b]) }
        #expect(WorkerHarness.wait(60) { h.phase(id) == .succeeded }, "\(h.log(2))")
        #expect(h.log(2).contains("taking over \(id)\n"), "\(h.log(2))")
        usleep(500_000)
        #expect(h.journalLines.count == 1, "the task started \(h.journalLines.count) times")
    }

    @Test func workersReconnectAfterAPostgresRestartAndCarryOn() throws {
        let peer = try PostgresPeer.startPrivate()
        defer { peer.stop() }
        let h = try WorkerHarness("restart", peer: peer, sleep: 3)
        let slow = try h.enqueue(h.dir + "/journal.yaml")
        let chain = try h.enqueue(h.dir + "/chain.yaml")
        let ids = [slow, chain] + (try h.enqueueCopies(of: chain, count: 20))
        let workers = try [1, 2].map { try h.startWorker($0, ["--concurrency", "4"]) }
        defer { WorkerHarness.kill(workers) }
        #expect(WorkerHarness.wait(60) { h.journalLines.count == 1 }, "\(h.log(1))\(h.log(2))")
        try peer.restart()
        #expect(WorkerHarness.wait(150) { h.allEnded(ids) }, "\(h.log(1))\(h.log(2))")
        #expect(ids.allSatisfy { h.phase($0) == .succeeded }, "\(h.log(1))\(h.log(2))")
        #expect(workers.allSatisfy { $0.isRunning }, "\(h.log(1))\(h.log(2))")
        #expect(h.journalLines.count == 1, "the task started \(h.journalLines.count) times")
    }

    @Test func abortReachesTheWorkerRunningTheExecution() throws {
        let h = try WorkerHarness("abort", sleep: 60)
        let id = try h.enqueue(h.dir + "/journal.yaml")
        let w = try h.startWorker(1)
        defer { WorkerHarness.kill([w]) }
        #expect(WorkerHarness.wait(60) { h.journalLines.count == 1 }, "\(h.log(1))")
        let abort = try CLI.run(["executions", "abort", id, "--store", h.url], cwd: h.dir, env: h.env)
        #expect(abort.status == 0, "\(abort)")
        #expect(WorkerHarness.wait(60) { h.phase(id) == .aborted }, "\(h.log(1))")
        // The worker logs the abort after the store says it: the line may come a moment later.
        #expect(WorkerHarness.wait(60) { h.log(1).contains("aborted: \(id)") }, "\(h.log(1))")
    }

    @Test func aQueuedExecutionIsAbortedAtOnceAndARunningOneShowsItsWorker() throws {
        let h = try WorkerHarness("queuedabort", sleep: 60)
        let queued = try h.enqueue(h.dir + "/chain.yaml")
        let abort = try CLI.run(["executions", "abort", queued, "--store", h.url], cwd: h.dir, env: h.env)
        #expect(abort.status == 0 && abort.stdout.hasPrefix("aborted: \(queued)"), "\(abort)")
        #expect(h.phase(queued) == .aborted)

        let id = try h.enqueue(h.dir + "/journal.yaml")
        let w = try h.startWorker(1)
        defer { WorkerHarness.kill([w]) }
        #expect(WorkerHarness.wait(60) { h.journalLines.count == 1 }, "\(h.log(1))")
        let owner = "aloft worker (pid \(w.processIdentifier) on "
        let list = try CLI.run(["executions", "list", "--store", h.url], cwd: h.dir, env: h.env)
        #expect(list.stdout.contains(owner), "\(list.stdout)")
        let show = try CLI.run(["executions", "show", id, "--store", h.url], cwd: h.dir, env: h.env)
        #expect(show.stdout.contains("driven by: " + owner), "\(show.stdout)")
        let status = try CLI.run(["worker", "status", "--store", h.url], cwd: h.dir, env: h.env)
        #expect(status.status == 0, "\(status)")
        let row = status.stdout.split(separator: "\n").first { $0.contains(" \(w.processIdentifier) ") }
        #expect(row?.hasPrefix("aloft worker") == true && row?.contains("live") == true, "\(status.stdout)")
        #expect(row?.contains("1: \(id)") == true, "\(status.stdout)")
    }

    @Test func aTaskTypesQuotaHoldsAcrossWorkers() throws {
        let h = try WorkerHarness("quota")
        // Each task counts the tasks running when it starts (itself included) into `counts`.
        let running = h.dir + "/running"
        try FileManager.default.createDirectory(atPath: running, withIntermediateDirectories: true)
        try """
        tasks:
          t:
            type: container
            outputs: {n: integer}
            container:
              command: [sh, -c, 'touch \(running)/$$; ls \(running) | wc -l >> \(h.dir)/counts; sleep 1; rm \(running)/$$; echo 7 > {{output_dir}}/n']
        workflows:
          w:
            outputs: {n: {type: integer, from: $a.n}}
            nodes: [{id: a, task: t}]
        """.write(toFile: h.dir + "/quota.yaml", atomically: true, encoding: .utf8)
        try "quotas: {container: 2}\n".write(toFile: h.dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        let first = try h.enqueue(h.dir + "/quota.yaml")
        let ids = [first] + (try h.enqueueCopies(of: first, count: 8))
        let workers = try [1, 2, 3].map { try h.startWorker($0, ["--concurrency", "3"]) }
        defer { WorkerHarness.kill(workers) }
        #expect(WorkerHarness.wait(150) { h.allEnded(ids) }, "\(h.log(1))\(h.log(2))\(h.log(3))")
        #expect(ids.allSatisfy { h.phase($0) == .succeeded })
        let counts = try String(contentsOfFile: h.dir + "/counts", encoding: .utf8).split(separator: "\n").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        #expect(counts.count == ids.count, "\(counts)")
        #expect(counts.allSatisfy { $0 <= 2 }, "more than 2 container tasks ran at once: \(counts)")
        #expect(counts.contains(2), "the quota's 2 slots were never both used: \(counts)")
    }

    /// Workers on one machine may share a SQLite store: claims take turns in its write transactions.
    @Test func workersShareASQLiteStoreOnOneMachine() throws {
        let h = try WorkerHarness("sqlite", sleep: 0.2)
        let local = ["--store", h.dir + "/store"]
        let r = try CLI.run(["run", "journal.yaml", "--detach"] + local, cwd: h.dir)
        #expect(r.status == 0, "\(r)")
        let store = try SQLiteMetadataStore(path: h.dir + "/store/metadata.sqlite")
        let first = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let original = try #require(try store.execution(id: first))
        let ids =
            [first]
            + (try (0..<11).map { _ in
                var copy = original
                copy.id = ExecutionID.make()
                try store.enqueue(copy)
                return copy.id
            })
        let workers = try [1, 2].map { _ in
            try CLI.start(["worker", "--concurrency", "3"] + local, cwd: h.dir)
        }
        defer { WorkerHarness.kill(workers) }
        let ended = WorkerHarness.wait(120) {
            ids.allSatisfy { (try? store.execution(id: $0))?.phase == .succeeded }
        }
        #expect(ended, "\(ids.map { (try? store.execution(id: $0))?.phase.rawValue ?? "?" })")
        #expect(h.journalLines.count == ids.count && Set(h.journalLines).count == ids.count, "\(h.journalLines)")
    }

    @Test func aWrongPasswordOrAnUnreachableServerIsOneLine() throws {
        let peer = try PostgresPeer.require()
        let dir = try TemporaryDirectory.make("worker-bad")
        let wrong = try CLI.run(
            ["worker", "--store", peer.url(database: "postgres")], cwd: dir,
            env: ["ALOFT_SECRET_POSTGRES_PASSWORD": "wrong-secret-19"])
        #expect(wrong.status == 1 && wrong.stderr.contains("password authentication failed"), "\(wrong)")
        #expect(!wrong.output.contains("wrong-secret-19") && wrong.stderr.split(separator: "\n").count == 1)
        let nowhere = "postgres://postgres@127.0.0.1:\(PostgresPeer.freePort())/x"
        let unreachable = try CLI.run(["worker", "--store", nowhere], cwd: dir, env: ["PGPASSWORD": "x"])
        #expect(
            unreachable.status == 1 && unreachable.stderr.contains("cannot connect to \(nowhere)"), "\(unreachable)")
        #expect(unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")
    }
}
