import AloftWire
import Foundation
import Logging
import PluginHost

/// The hive plugin against a real HiveServer2 (Spark's Thrift server from the pyspark venv), beside PyPI
/// `pyhive` running the same statements against the same server in the same run:
///   - per query (`SELECT <i> AS n`, one row): wall time from submit to the succeeded poll, the submit call
///     (OpenSession + ExecuteStatement), each poll call, and this process's CPU per query;
///   - fetch: 100,000 rows of 4 columns into a dataset<csv>, as MB/s of the CSV written.
/// In HTTP mode the server listens on every interface, so the benchmark makes a private network namespace,
/// starts the server in it and re-runs itself (`hive-inside`) and pyhive there; both are stopped at the end.
enum HiveBench {
    static let port = 10001

    static var sparkVenv: String {
        (ProcessInfo.processInfo.environment["ALOFT_PEERS"] ?? NSHomeDirectory() + "/.cache/aloft-peers") + "/spark"
    }

    static func run(queries: Int) async throws {
        let lib = sparkVenv + "/lib"
        guard
            let python = (try? FileManager.default.contentsOfDirectory(atPath: lib))?.first(where: {
                $0.hasPrefix("python")
            })
        else {
            throw BenchError("pyspark is not installed under \(sparkVenv): run `bash scripts/setup-peers.sh`")
        }
        let sparkHome = "\(lib)/\(python)/site-packages/pyspark"
        let namespace = "aloft-bench-hive-\(getpid())"
        let dir = Scratch.directory("aloft-bench-hive")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard shell("ip netns add \(namespace) && ip netns exec \(namespace) ip link set lo up") == 0 else {
            throw BenchError("cannot make a network namespace (needs root and iproute2)")
        }
        defer {
            let pids = shellOutput("ip netns pids \(namespace)").split(separator: "\n").compactMap { Int32($0) }
            for pid in pids { kill(pid, SIGTERM) }
            sleep(2)
            for pid in pids { kill(pid, SIGKILL) }
            shell("ip netns del \(namespace)")
        }
        let server = """
            cd \(dir) && SPARK_HOME=\(sparkHome) SPARK_LOCAL_IP=127.0.0.1 exec \(sparkHome)/bin/spark-submit --master 'local[2]' \
            --class org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 --conf spark.ui.enabled=false \
            --conf spark.sql.warehouse.dir=\(dir)/warehouse --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
            --hiveconf hive.server2.transport.mode=http --hiveconf hive.server2.thrift.http.port=\(port) \
            --hiveconf hive.server2.thrift.http.path=cliservice spark-internal > \(dir)/server.log 2>&1
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "exec", namespace, "bash", "-c", server]
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while shell("ip netns exec \(namespace) bash -c 'echo > /dev/tcp/127.0.0.1/\(port)' 2>/dev/null") != 0 {
            guard Date() < deadline, p.isRunning else {
                throw BenchError("the Spark Thrift server did not start; see \(dir)/server.log")
            }
            usleep(500_000)
        }
        #if DEBUG
        let build = "a DEBUG build: use -c release for figures"
        #else
        let build = "release build"
        #endif
        print(
            "HiveServer2: Spark's Thrift server (pyspark in \(sparkVenv)), HTTP transport, local[2], in network namespace \(namespace); \(build)."
        )
        print("Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores\n")
        fflush(nil)  // all streams: the children print between our lines
        let me =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        shell("ip netns exec \(namespace) \(me) hive-inside \(queries) \(dir)", echo: true)
        let script = dir + "/pyhive_bench.py"
        try pyhiveScript.write(toFile: script, atomically: true, encoding: .utf8)
        shell("ip netns exec \(namespace) \(sparkVenv)/bin/python \(script) \(queries) \(port)", echo: true)
    }

    /// Runs inside the namespace: the plugin through Aloft's host (its threads, lanes and call budget).
    static func inside(queries: Int, dir: String) async throws {
        var config = HostConfiguration()
        config.searchBuiltin = false
        config.callOptions.callBudget = .seconds(120)
        config.pluginConfig["aloft.hive"] = .object([
            "host": .string("127.0.0.1"), "port": .integer(Int64(port)), "user": .string("bench"),
            "poll_seconds": .float(0.01),
            "fetch_size": .integer(10_000),
        ])
        let host = await PluginHost.start(
            configuration: config, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
            directories: [PluginDirectory(path: PluginSearchPath.executableDirectory()!, origin: .builtin)])
        defer { host.shutdown() }
        let hive = try host.plugin(forTaskType: "hive").get()

        func context(_ i: Int, query: String, outputs: TypeMap) -> TaskContext {
            let identity = ExecutionIdentity(
                project: "bench", domain: "development", execution: "hive\(i)", node: "q", attempt: 0)
            return TaskContext(
                taskExecutionID: "bench-hive-\(i)", identity: identity,
                task: TaskTemplate(
                    name: "q", version: "1", type: "hive", interface: TaskInterface(outputs: outputs),
                    config: .object(["query": .string(query)])),
                inputs: [:], outputPrefix: "file://\(dir)/q\(i)/")
        }

        /// One query from submit to its succeeded poll, polling at once; then finalize (CloseSession).
        func runOne(
            _ ctx: TaskContext
        ) async throws -> (wall: UInt64, submit: UInt64, polls: [UInt64], finalize: UInt64, outputs: LiteralMap) {
            var task = TaskInvocation(context: ctx)
            let t0 = now()
            task.state = try await hive.submit(task)
            let submitted = now()
            var polls: [UInt64] = []
            while true {
                let p0 = now()
                let outcome = try await hive.poll(task)
                polls.append(now() - p0)
                if let s = outcome.newState { task.state = s }
                if outcome.phase == .succeeded {
                    let done = now()
                    try await hive.finalize(task)
                    return (done - t0, submitted - t0, polls, now() - done, outcome.outputs ?? [:])
                }
                guard outcome.phase != .failed else {
                    throw BenchError("query failed: \(outcome.error?.message ?? "")")
                }
            }
        }

        // Per query.
        // warm-up
        for i in 0..<5 { _ = try await runOne(context(i, query: "SELECT \(i) AS n", outputs: ["n": .integer])) }
        var wall = Samples(), submit = Samples(), firstPoll = Samples(), lastPoll = Samples(), finalize = Samples(),
            whole = Samples()
        var pollCount = 0
        let cpu0 = cpuSeconds()
        for i in 0..<queries {
            let r = try await runOne(context(100 + i, query: "SELECT \(i) AS n", outputs: ["n": .integer]))
            precondition(r.outputs["n"] == .integer(Int64(i)))
            wall.add(r.wall)
            submit.add(r.submit)
            firstPoll.add(r.polls.first!)
            lastPoll.add(r.polls.last!)
            finalize.add(r.finalize)
            whole.add(r.wall + r.finalize)
            pollCount += r.polls.count
        }
        let cpu = cpuSeconds() - cpu0
        print(
            "aloft   \(queries) queries `SELECT i AS n` one after another, each: submit, poll until succeeded, finalize"
        )
        print("        submit (OpenSession + ExecuteStatement)     \(ms(submit))")
        print("        first poll (GetOperationStatus)             \(ms(firstPoll))")
        print("        last poll (status + metadata + fetch + close) \(ms(lastPoll))")
        print("        finalize (CloseSession)                      \(ms(finalize))")
        print(
            "        submit to succeeded                          \(ms(wall))   \(String(format: "%.1f", Double(pollCount) / Double(queries))) polls per query"
        )
        print("        submit to finalized (as pyhive's line below) \(ms(whole))")
        print(
            String(
                format: "        host CPU per query %.2f ms (this process: host, plugin, HTTP, Thrift)",
                cpu / Double(queries) * 1000))
        reportJSON(workload: "hive-query", n: queries, seconds: wall.nanos.reduce(0, +).asSeconds)

        // Fetch.
        let big =
            "SELECT id, CONCAT('row-', CAST(id AS STRING)) AS s, id * 1.5E0 AS d, id % 2 = 0 AS b FROM range(0, 100000)"
        var best = Double.infinity, bytes = 0
        for round in 0..<3 {
            let r = try await runOne(
                context(10_000 + round, query: big, outputs: ["rows": .dataset(DatasetType(format: "csv"))]))
            guard case .dataset(let d) = r.outputs["rows"] else { throw BenchError("no dataset output") }
            let file = String(d.uri.dropFirst("file://".count)) + "/part-00000.csv"
            bytes = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
            best = min(best, r.polls.last!.asSeconds)
        }
        print(
            String(
                format:
                    "aloft   fetch 100,000 rows x 4 columns to CSV (%.1f MB): %.0f ms in the last poll = %.1f MB/s (best of 3)\n",
                Double(bytes) / 1e6, best * 1000, Double(bytes) / 1e6 / best))
        fflush(nil)  // all streams: the children print between our lines
    }

    static func ms(_ s: Samples) -> String {
        String(format: "median %7.2f ms   p90 %7.2f ms", s.percentile(0.5) / 1000, s.percentile(0.9) / 1000)
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    @discardableResult
    static func shell(_ command: String, echo: Bool = false) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", command]
        if !echo {
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
        }
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func shellOutput(_ command: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        guard (try? p.run()) != nil else { return "" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The peer: pyhive over thrift's THttpClient, the same statements in the same order.
    static let pyhiveScript = #"""
        import base64, csv, io, resource, statistics, sys, time
        from pyhive import hive
        from TCLIService.ttypes import TOperationState
        from thrift.transport import THttpClient
        n, port = int(sys.argv[1]), int(sys.argv[2])

        def connect():
            t = THttpClient.THttpClient(f"http://127.0.0.1:{port}/cliservice")
            t.setCustomHeaders({"Authorization": "Basic " + base64.b64encode(b"bench:x").decode()})
            return hive.connect(thrift_transport=t)

        def one(sql, fetch_only=False):
            t0 = time.perf_counter()
            conn = connect()
            cur = conn.cursor()
            cur.arraysize = 10000
            cur.execute(sql, async_=True)
            t1 = time.perf_counter()
            while cur.poll().operationState not in (TOperationState.FINISHED_STATE, TOperationState.ERROR_STATE):
                pass
            t2 = time.perf_counter()
            rows = cur.fetchall()
            t3 = time.perf_counter()
            cur.close(); conn.close()
            return t3 - t0, t1 - t0, t3 - t2, rows

        for i in range(5): one(f"SELECT {i} AS n")
        walls, submits = [], []
        c0 = time.process_time()
        for i in range(n):
            wall, submit, _, rows = one(f"SELECT {i} AS n")
            assert rows == [(i,)]
            walls.append(wall); submits.append(submit)
        cpu = time.process_time() - c0
        q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(len(xs) * p))] * 1000
        print(f"pyhive  {n} queries, each: connect (OpenSession), execute async, poll until finished, fetchall, close")
        print(f"        connect + execute                            median {q(submits, .5):7.2f} ms   p90 {q(submits, .9):7.2f} ms")
        print(f"        connect to fetched and closed                median {q(walls, .5):7.2f} ms   p90 {q(walls, .9):7.2f} ms")
        print(f"        client CPU per query {cpu / n * 1000:.2f} ms")
        big = "SELECT id, CONCAT('row-', CAST(id AS STRING)) AS s, id * 1.5E0 AS d, id % 2 = 0 AS b FROM range(0, 100000)"
        best, best_csv, size = float("inf"), float("inf"), 0
        for _ in range(3):
            _, _, fetch, rows = one(big)
            t0 = time.perf_counter()
            buf = io.StringIO(); w = csv.writer(buf, lineterminator="\n"); w.writerow(["id", "s", "d", "b"]); w.writerows(rows)
            size = len(buf.getvalue().encode())
            best, best_csv = min(best, fetch), min(best_csv, fetch + time.perf_counter() - t0)
        print(f"pyhive  fetch 100,000 rows x 4 columns: fetchall {best * 1000:.0f} ms = {size / 1e6 / best:.1f} MB/s of the same CSV; "
              f"with csv.writer {best_csv * 1000:.0f} ms = {size / 1e6 / best_csv:.1f} MB/s (best of 3)")
        print(f"        peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        """#
}

extension UInt64 {
    var asSeconds: Double { Double(self) / 1e9 }
}
