import AloftEngine
import AloftHive
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// The plugin end to end: the built `aloft` (and its hive plugin library) against the real HiveServer2,
/// inside the peer's network namespace.
@Suite(.enabled(if: HivePeer.available), .timeLimit(.minutes(8)), .serialized)
struct HiveWorkflowTests {
    static let salesInputs = [
        "-i", "min_amount=10", "-i", "since=2026-11-01T00:00:00Z", "-i", #"products=["apple","pear"]"#,
    ]

    @Test func createInsertSelectFeedsADatasetToAProcessTaskAndScalarsBack() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        let r = try HiveCLI.run(
            peer, ["run", HiveCLI.example + "/sales.yaml", "-i", "region=north"] + Self.salesInputs, cwd: dir)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        // north, since Nov 1, amount >= 10, apple or pear: apple 12.5 + 30.0 (2 sales), pear 11.0 (1 sale).
        #expect(r.stdout.contains("products = 2"), "\(r.stdout)")
        #expect(r.stdout.contains("total = 53.5"), "\(r.stdout)")
        #expect(r.stdout.contains("region_sales = 5"), "\(r.stdout)")
        #expect(r.stdout.contains("newest = 2026-11-04T09:00:00Z"), "\(r.stdout)")
        let csv = try #require(Self.resultCSV(dir))
        #expect(csv == "product,sales,total\napple,2,42.5\npear,1,11.0\n")
        #expect(!r.stdout.contains(peer.password) && !r.stderr.contains(peer.password))
        // Nor anywhere in the store (resource states, node records, outputs).
        let store = try #require(FileManager.default.enumerator(atPath: dir + "/.aloft"))
        for case let path as String in store {
            guard let data = FileManager.default.contents(atPath: dir + "/.aloft/" + path) else { continue }
            #expect(data.range(of: Data(peer.password.utf8)) == nil, "the password is in .aloft/\(path)")
        }
    }

    @Test func aParquetDatasetIsReadByAProcessTaskWithPyarrow() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        let python = HivePeer.peersRoot + "/spark/bin/python"
        try """
        import pyarrow.parquet as pq, glob, json, sys
        t = pq.read_table(glob.glob(sys.argv[1] + "/*.parquet"))
        json.dump({"rows": t.num_rows, "total": sum(t.column("total").to_pylist()), "names": ",".join(t.column("name").to_pylist())},
                  open(sys.argv[2] + "/outputs.json", "w"))
        """.write(toFile: dir + "/read.py", atomically: true, encoding: .utf8)
        try """
        tasks:
          q:
            type: hive
            inputs: {n: integer}
            outputs: {table: dataset<parquet>}
            config:
              query: SELECT CONCAT('item-', id) AS name, id * 2 AS total FROM range(0, {{ inputs.n }})
          read:
            type: container
            inputs: {table: dataset<parquet>}
            outputs: {rows: integer, total: integer, names: string}
            container: {command: [\(python), "\(dir)/read.py", "{{inputs.table}}", "{{output_dir}}"], backend: process}
        workflows:
          w:
            outputs: {rows: {type: integer, from: $b.rows}, total: {type: integer, from: $b.total}, names: {type: string, from: $b.names}}
            nodes: [{id: a, task: q, inputs: {n: 4}}, {id: b, task: read, inputs: {table: $a.table}}]
        """.write(toFile: dir + "/parquet.yaml", atomically: true, encoding: .utf8)
        let r = try HiveCLI.run(peer, ["run", "parquet.yaml"], cwd: dir)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("rows = 4") && r.stdout.contains("total = 12"), "\(r.stdout)")
        #expect(r.stdout.contains("names = \"item-0,item-1,item-2,item-3\""), "\(r.stdout)")
    }

    @Test func hiveConfSettingsReachTheSession() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        try Self.write(
            dir + "/conf.yaml", query: "SET spark.sql.shuffle.partitions", outputs: "{value: string}",
            workflowOutputs: "value: {type: string, from: $a.value}",
            config: "hive_conf: {spark.sql.shuffle.partitions: 7}")
        let r = try HiveCLI.run(peer, ["run", "conf.yaml"], cwd: dir)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("value = \"7\""), "\(r.stdout)")
    }

    @Test func theBinaryTransportRunsTheSameWorkflow() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        try Self.useBinaryTransport(dir, peer)
        let r = try HiveCLI.run(
            peer, ["run", HiveCLI.example + "/sales.yaml", "-i", "region=north"] + Self.salesInputs, cwd: dir)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(
            r.stdout.contains("products = 2") && r.stdout.contains("total = 53.5")
                && r.stdout.contains("region_sales = 5"), "\(r.stdout)")
    }

    /// Over binary TCP the session dies with the killed host's connection: resume cannot re-attach, the
    /// attempt fails as OperationLost (retryable) and the next attempt runs the statement again.
    @Test func binaryTransportAfterSigkillRunsTheStatementAgain() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        try Self.useBinaryTransport(dir, peer)
        let marker = "binary-resume-\(UUID())"
        try Self.write(
            dir + "/slow.yaml", query: Self.slowQuery(marker, milliseconds: 3_000), outputs: "{n: integer}",
            workflowOutputs: "n: {type: integer, from: $a.n}")
        let p = try HiveCLI.start(peer, ["run", "slow.yaml"], cwd: dir, out: Pipe())
        let deadline = Date().addingTimeInterval(60)
        var stored: (execution: String, state: [UInt8])?
        while stored == nil && Date() < deadline && p.isRunning {
            stored = HiveCLI.storedState(dir: dir, node: "a")
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let execution = try #require(stored?.execution, "the query was never submitted")
        let resumed = try HiveCLI.run(peer, ["resume", execution], cwd: dir)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(
            resumed.stdout.contains("OperationLost") || resumed.stdout.contains("died with its connection"),
            "\(resumed.stdout)")
        #expect(resumed.stdout.contains("n = 7"), "\(resumed.stdout)")
        #expect(
            Self.serverLog(peer).components(separatedBy: "Submitting query").filter { $0.contains(marker) }.count == 2)
    }

    @Test func injectionInputsStayStrings() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        for region in [
            "north' OR '1'='1", "north'; DROP TABLE aloft_sales; --", #"\'; DROP TABLE aloft_sales; --"#,
            "${hiveconf:hive.server2.thrift.http.port}",
        ] {
            let r = try HiveCLI.run(
                peer, ["run", HiveCLI.example + "/sales.yaml", "-i", "region=\(region)"] + Self.salesInputs, cwd: dir)
            #expect(r.status == 0, "\(region): \(r.stdout)\n\(r.stderr)")
            // No region has that name: no rows, and the table is still there for the last query to count.
            #expect(r.stdout.contains("products = 0"), "\(region): \(r.stdout)")
            #expect(r.stdout.contains("region_sales = 0"), "\(region): \(r.stdout)")
        }
        let north = try HiveCLI.run(
            peer, ["run", HiveCLI.example + "/sales.yaml", "-i", "region=north"] + Self.salesInputs, cwd: dir)
        #expect(north.stdout.contains("region_sales = 5"), "\(north.stdout)\n\(north.stderr)")
    }

    @Test func syntaxErrorIsAUserErrorWithTheServersMessageAndSQLState() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        try Self.write(dir + "/bad.yaml", query: "SELECT 1;\nSELEC oops FROM nowhere", outputs: "{}")
        let r = try HiveCLI.run(peer, ["run", "bad.yaml"], cwd: dir)
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        let text = r.stdout + r.stderr
        #expect(text.contains("statement 2 of 2 failed"), "\(text)")
        #expect(text.contains("PARSE_SYNTAX_ERROR"), "\(text)")
        #expect(text.contains("SQLSTATE 42601"), "\(text)")
    }

    @Test func wrongPasswordAndUnreachableServerAreClearErrors() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        try Self.write(dir + "/one.yaml", query: "SELECT 1 AS n", outputs: "{n: integer}")
        let wrong = try HiveCLI.run(peer, ["run", "one.yaml"], cwd: dir, password: "not-the-password")
        #expect(wrong.status == 2)
        #expect((wrong.stdout + wrong.stderr).contains("refused the credentials"), "\(wrong.stdout)\n\(wrong.stderr)")
        #expect(!(wrong.stdout + wrong.stderr).contains("not-the-password"))
        // Unreachable is retryable: the engine tries again (for about two minutes in all); seeing the first retry is enough.
        let other = try HiveCLI.scratch()
        try String(contentsOfFile: other + "/aloft.yaml", encoding: .utf8).replacingOccurrences(
            of: "port: 10001", with: "port: 1"
        )
        .write(toFile: other + "/aloft.yaml", atomically: true, encoding: .utf8)
        try Self.write(other + "/one.yaml", query: "SELECT 1 AS n", outputs: "{n: integer}")
        let out = Pipe()
        let p = try HiveCLI.start(peer, ["run", "one.yaml"], cwd: other, out: out)
        let lines = HiveCLI.LineReader(out)
        let retry = lines.waitFor({ $0.contains("retrying") }, seconds: 90)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(retry?.contains("did not answer") == true, "\(retry ?? "no retry")")
        #expect(retry?.contains("http://127.0.0.1:1/cliservice") == true)
    }

    @Test func tableOutputNamesTheTasksOwnTable() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        try Self.write(
            dir + "/table.yaml",
            query: """
                DROP TABLE IF EXISTS {{ output_table }};
                CREATE TABLE {{ output_table }} USING parquet AS SELECT id FROM range(0, 3);
                SELECT COUNT(*) AS n FROM {{ output_table }}
                """, outputs: "{table: string, n: integer}",
            workflowOutputs: "table: {type: string, from: $a.table}, n: {type: integer, from: $a.n}",
            config: "table_output: table")
        let r = try HiveCLI.run(peer, ["run", "table.yaml"], cwd: dir)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("n = 3"), "\(r.stdout)")
        let execution = try #require(HiveCLI.storedState(dir: dir, node: "a")?.execution)
        let expected = HiveTableName.derive(project: "default", domain: "development", execution: execution, node: "a")
        #expect(r.stdout.contains("table = \"\(expected)\""), "\(r.stdout) (expected \(expected))")
    }

    @Test func compileReportsPlaceholderAndTypeProblemsWithFileAndLine() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        try """
        tasks:
          q:
            type: hive
            inputs: {day: string, files: blob}
            outputs: {n: integer}
            config:
              query: SELECT COUNT(*) AS n FROM t WHERE d = {{ inputs.dya }} AND f = {{ inputs.files }}
        workflows:
          w:
            inputs: {day: string, files: blob}
            nodes: [{id: a, task: q, inputs: {day: $inputs.day, files: $inputs.files}}]
        """.write(toFile: dir + "/check.yaml", atomically: true, encoding: .utf8)
        let r = try HiveCLI.run(peer, ["compile", "check.yaml"], cwd: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("check.yaml:7:"), "\(r.stderr)")
        #expect(r.stderr.contains("{{ inputs.dya }} names no input"), "\(r.stderr)")
        #expect(r.stderr.contains("check.yaml:4:"), "\(r.stderr)")
        #expect(r.stderr.contains("a blob is a file, not a SQL value"), "\(r.stderr)")
    }

    @Test func compileReportsConfigAndOutputProblemsAtTheirPlaces() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        try """
        tasks:
          q:
            type: hive
            inputs: {day: string}
            outputs: {rows: dataset<orc>, tbl: integer}
            config:
              query: "SELECT * FROM t WHERE d = '{{ inputs.day }}'"
              hive_conf: {a.b: [1, 2]}
              table_output: tbl
              fetch_sise: 10
        workflows:
          w:
            inputs: {day: string}
            nodes: [{id: a, task: q, inputs: {day: $inputs.day}}]
        """.write(toFile: dir + "/check.yaml", atomically: true, encoding: .utf8)
        let r = try HiveCLI.run(peer, ["compile", "check.yaml"], cwd: dir)
        #expect(r.status != 0)
        for (line, text) in [
            (5, "dataset<csv> or dataset<parquet>, not dataset<orc>"), (7, "is inside quotes"),
            (8, "a hive_conf value must be a string, number or boolean"),
            (9, "must be a string output"), (10, "unknown key \"fetch_sise\""),
        ] {
            #expect(
                r.stderr.split(separator: "\n").contains { $0.contains("check.yaml:\(line):") && $0.contains(text) },
                "line \(line): \(text)\n\(r.stderr)")
        }
    }

    @Test func ctrlCCancelsTheRunningQueryOnTheServer() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        let marker = "abort-\(UUID())"
        try Self.write(dir + "/slow.yaml", query: Self.slowQuery(marker, milliseconds: 60_000), outputs: "{n: integer}")
        let out = Pipe()
        let p = try HiveCLI.start(peer, ["run", "slow.yaml"], cwd: dir, out: out)
        let deadline = Date().addingTimeInterval(60)
        while HiveCLI.storedState(dir: dir, node: "a") == nil && Date() < deadline && p.isRunning { usleep(50_000) }
        let statement = try #require(
            Self.serverStatementID(peer, marker: marker, within: 20), "the server never saw the query")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 3, "\(text)")
        #expect(text.contains("aborted"), "\(text)")
        #expect(
            Self.waitForLog(peer, "Cancel query with \(statement)", seconds: 20),
            "the server did not cancel \(statement)")
    }

    @Test func sigkillMidQueryThenResumeReattachesToTheSameOperation() throws {
        let peer = try HivePeer.require()
        let dir = try HiveCLI.scratch()
        let marker = "resume-\(UUID())"
        try Self.write(
            dir + "/slow.yaml", query: Self.slowQuery(marker, milliseconds: 8_000), outputs: "{n: integer}",
            workflowOutputs: "n: {type: integer, from: $a.n}")
        let p = try HiveCLI.start(peer, ["run", "slow.yaml"], cwd: dir, out: Pipe())
        let deadline = Date().addingTimeInterval(60)
        var stored: (execution: String, state: [UInt8])?
        while stored == nil && Date() < deadline && p.isRunning {
            stored = HiveCLI.storedState(dir: dir, node: "a")
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let (execution, state) = try #require(stored, "the query was never submitted")
        let operation = try #require(HiveOperation(json: try JSONParser.parse(state)["operation"]))
        let resumed = try HiveCLI.run(peer, ["resume", execution], cwd: dir)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("n = 7"), "\(resumed.stdout)")
        // The same operation: the server was asked to run the statement once, and the stored handle is the one polled.
        let submitted = Self.serverLog(peer).components(separatedBy: "Submitting query").filter { $0.contains(marker) }
        #expect(submitted.count == 1)
        // Each statement carries its task's tag, so the server's log says which task sent it.
        #expect(submitted.first?.contains("-- aloft task \(execution)-a-0-") == true, "\(submitted.first ?? "")")
        let after = try #require(HiveCLI.storedState(dir: dir, node: "a"))
        #expect(HiveOperation(json: try JSONParser.parse(after.state)["operation"])?.id == operation.id)
    }

    // MARK: - helpers

    static func useBinaryTransport(_ dir: String, _ peer: HivePeer.Running) throws {
        let config = try String(contentsOfFile: dir + "/aloft.yaml", encoding: .utf8)
            .replacingOccurrences(
                of: "port: 10001, transport: http", with: "port: \(peer.binaryPort), transport: binary")
        #expect(config.contains("transport: binary"))
        try config.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
    }

    static func slowQuery(_ marker: String, milliseconds: Int) -> String {
        "SELECT '\(marker)' AS marker, 7 AS n, reflect('java.lang.Thread', 'sleep', CAST(\(milliseconds) AS BIGINT)) AS slept"
    }

    static func write(
        _ path: String, query: String, outputs: String, workflowOutputs: String = "", config: String = ""
    ) throws {
        let indented = query.split(separator: "\n", omittingEmptySubsequences: false).map { "        " + $0 }.joined(
            separator: "\n")
        try """
        tasks:
          q:
            type: hive
            outputs: \(outputs)
            config:
              \(config.isEmpty ? "" : config + "\n      ")query: |
        \(indented)
        workflows:
          w:
            outputs: {\(workflowOutputs)}
            nodes: [{id: a, task: q}]
        """.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func resultCSV(_ dir: String) -> String? {
        guard let e = FileManager.default.enumerator(atPath: dir + "/.aloft") else { return nil }
        for case let path as String in e where path.hasSuffix("/out/rows/part-00000.csv") {
            return try? String(contentsOfFile: dir + "/.aloft/" + path, encoding: .utf8)
        }
        return nil
    }

    static func serverLog(_ peer: HivePeer.Running) -> String {
        (try? String(contentsOfFile: peer.log, encoding: .utf8)) ?? ""
    }

    /// The server's id for the statement that carries `marker` ("Submitting query '...' with <id>").
    static func serverStatementID(_ peer: HivePeer.Running, marker: String, within seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            // The statement spans lines (the plugin's tag comment comes first); its id ends the line with the marker.
            for chunk in serverLog(peer).components(separatedBy: "Submitting query").dropFirst()
            where chunk.contains(marker) {
                if let line = chunk.split(separator: "\n").first(where: { $0.contains(marker) }),
                    line.contains(" with "),
                    let id = line.components(separatedBy: " with ").last
                {
                    return id.trimmingCharacters(in: .whitespaces)
                }
            }
            usleep(100_000)
        }
        return nil
    }

    static func waitForLog(_ peer: HivePeer.Running, _ text: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if serverLog(peer).contains(text) { return true }
            usleep(100_000)
        }
        return false
    }
}
