import AloftEngine
import AloftTestSupport
import Foundation

/// `aloft worker` processes sharing one PostgreSQL database, in one scratch directory (so they share its
/// `.aloft/blobs`), with the specs the worker tests queue: `chain.yaml` (20 echo nodes in a chain) and
/// `journal.yaml` (one process task that appends its output directory to `journal` when it starts, sleeps
/// SLEEP seconds, then writes `n = 7`; an attempt started twice shows as a repeated line).
struct WorkerHarness {
    let peer: PostgresPeer.Running
    let url: String
    let dir: String
    let store: PostgresStore
    var journal: String { dir + "/journal" }

    init(_ label: String, peer: PostgresPeer.Running? = nil, sleep: Double = 4) throws {
        self.peer = try peer ?? PostgresPeer.require()
        url = try self.peer.createDatabase(label)
        dir = try TemporaryDirectory.make("worker-\(label)")
        store = try PostgresStore(url: url, password: self.peer.password)
        var chain = "tasks:\n  t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}\n"
        chain += "workflows:\n  w:\n    outputs: {x: {type: integer, from: $n19.x}}\n    nodes:\n"
        chain += "      - {id: n0, task: t, inputs: {x: 1}}\n"
        for i in 1..<20 { chain += "      - {id: n\(i), task: t, inputs: {x: $n\(i - 1).x}}\n" }
        try chain.write(toFile: dir + "/chain.yaml", atomically: true, encoding: .utf8)
        try """
        tasks:
          t:
            type: container
            outputs: {n: integer}
            container:
              command: [sh, -c, 'echo {{output_dir}} >> \(dir)/journal; sleep \(sleep); echo 7 > {{output_dir}}/n']
        workflows:
          w:
            outputs: {n: {type: integer, from: $a.n}}
            nodes: [{id: a, task: t}]
        """.write(toFile: dir + "/journal.yaml", atomically: true, encoding: .utf8)
    }

    var env: [String: String] { ["ALOFT_SECRET_POSTGRES_PASSWORD": peer.password] }

    /// `aloft run --detach SPEC`: the queued execution's id.
    func enqueue(_ spec: String) throws -> String {
        let r = try CLI.run(["run", spec, "--detach", "--store", url], cwd: dir, env: env)
        guard r.status == 0, r.stdout.hasPrefix("ex-") else { throw FixtureError("enqueue \(spec): \(r)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// More executions like `id` (the same plan and inputs), queued straight through the store: quicker than
    /// an `aloft` process each.
    func enqueueCopies(of id: String, count: Int) throws -> [String] {
        guard let original = try store.execution(id: id) else { throw FixtureError("no execution \(id)") }
        return try (0..<count).map { _ in
            var copy = original
            copy.id = ExecutionID.make()
            copy.createdAt = Date()
            try store.enqueue(copy)
            return copy.id
        }
    }

    /// Starts `aloft worker` with `arguments`; its stdout goes to `worker-<n>.log` (see `log`).
    func startWorker(_ n: Int, _ arguments: [String] = []) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.buildDirectory + "/aloft")
        p.arguments = ["worker", "--store", url] + arguments
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = ["HOME": dir, "PATH": "/usr/bin:/bin"].merging(env) { $1 }
        for (name, suffix) in [("log", ""), ("err", ".stderr")] {
            let path = dir + "/worker-\(n)\(suffix).log"
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = FileHandle(forWritingAtPath: path)
            if name == "log" { p.standardOutput = handle } else { p.standardError = handle }
        }
        try p.run()
        return p
    }

    func log(_ n: Int) -> String {
        ((try? String(contentsOfFile: dir + "/worker-\(n).log", encoding: .utf8)) ?? "")
            + ((try? String(contentsOfFile: dir + "/worker-\(n).stderr.log", encoding: .utf8)) ?? "")
    }

    var journalLines: [String] {
        ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func phase(_ id: String) -> ExecutionRecord.Phase? { (try? store.execution(id: id))?.phase }

    /// Why an execution did not succeed: its phase and error, and every line of the first `workers` workers'
    /// logs that names it (what a failed soak run must show to be understood from CI's output alone).
    func why(_ id: String, workers: Int) -> String {
        let record = try? store.execution(id: id)
        let lines = (1...max(workers, 1)).flatMap { n in
            log(n).split(separator: "\n").filter { $0.contains(id) }.map { "worker \(n): \($0)" }
        }
        return "\(id) \(record?.phase.rawValue ?? "missing"): \(record?.error ?? "no error")\n"
            + lines.joined(separator: "\n")
    }

    /// Polls `condition` every 100 ms for up to `seconds`; whether it came true.
    @discardableResult
    static func wait(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    func allEnded(_ ids: [String]) -> Bool {
        ids.allSatisfy { id in
            guard let p = phase(id) else { return false }
            return p != .queued && p != .running
        }
    }

    /// Ends a worker that is still running (a test that failed midway).
    static func kill(_ workers: [Process]) {
        for p in workers where p.isRunning { Foundation.kill(p.processIdentifier, SIGKILL) }
    }
}
