import Foundation

/// `aloft-bench recovery [LEASE_SECONDS ...]`: how soon an execution runs again after its worker dies. Per
/// lease time (default 2, 5, 10 s): worker A (an `aloft worker` process next to aloft-bench) runs an
/// execution whose process task sleeps; worker B waits idle; A is SIGKILLed, and the time until B says
/// `taking over` is the recovery time, beside the lease time (the target: at most twice it). The store is
/// ALOFT_BENCH_POSTGRES (password from PGPASSWORD) when set, a SQLite store otherwise.
enum RecoveryBench {
    static func run(leases: [Double]) throws {
        let aloft = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/aloft"
        guard FileManager.default.isExecutableFile(atPath: aloft) else {
            print("\(aloft) is missing: swift build -c release --product aloft")
            return
        }
        for lease in leases {
            let dir = Scratch.directory("aloft-bench-recovery")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let store = ProcessInfo.processInfo.environment["ALOFT_BENCH_POSTGRES"] ?? dir + "/store"
            try """
            tasks:
              t: {type: container, outputs: {n: integer}, container: {command: [sh, -c, 'sleep 600; echo 7 > {{output_dir}}/n']}}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
            let enqueue = try start(
                aloft, ["run", "spec.yaml", "--detach", "--store", store], dir: dir, log: "enqueue")
            enqueue.waitUntilExit()
            let id = read(dir + "/enqueue.log").trimmingCharacters(in: .whitespacesAndNewlines)
            let arguments = ["worker", "--store", store, "--lease-seconds", String(lease)]
            let a = try start(aloft, arguments, dir: dir, log: "a")
            guard wait(60, { read(dir + "/a.log").contains("running \(id)") }) else {
                print("worker A never ran \(id): \(read(dir + "/a.log"))")
                kill(a.processIdentifier, SIGKILL)
                return
            }
            sleep(1)  // the task started
            let b = try start(aloft, arguments, dir: dir, log: "b")
            _ = wait(60, { read(dir + "/b.log").contains("worker pid") })
            let t0 = now()
            kill(a.processIdentifier, SIGKILL)
            let took = wait(lease * 4 + 30, { read(dir + "/b.log").contains("taking over \(id)") })
            let seconds = Double(now() - t0) / 1e9
            print(
                took
                    ? String(
                        format: "lease %.0f s: taken over %.2f s after the kill (%.2f× the lease; target ≤ 2×)", lease,
                        seconds, seconds / lease)
                    : "lease \(lease) s: not taken over within \(Int(seconds)) s: \(read(dir + "/b.log"))")
            _ = try start(aloft, ["executions", "abort", id, "--store", store], dir: dir, log: "abort")
            _ = wait(30, { read(dir + "/b.log").contains("aborted: \(id)") })
            kill(b.processIdentifier, SIGKILL)
        }
    }

    private static func start(_ aloft: String, _ arguments: [String], dir: String, log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: aloft)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        for suffix in ["log", "err"] {
            _ = FileManager.default.createFile(atPath: dir + "/\(log).\(suffix)", contents: nil)
        }
        p.standardOutput = FileHandle(forWritingAtPath: dir + "/\(log).log")
        p.standardError = FileHandle(forWritingAtPath: dir + "/\(log).err")
        try p.run()
        return p
    }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    private static func wait(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return false
    }
}
