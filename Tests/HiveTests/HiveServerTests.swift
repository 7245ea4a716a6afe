import AloftHTTP
import AloftHive
import Foundation
import Testing

/// The client against the real HiveServer2 (HivePeer), from a thread inside the peer's network namespace.
@Suite(.enabled(if: HivePeer.available), .timeLimit(.minutes(5)))
struct HiveServerTests {
    static func client(_ peer: HivePeer.Running, password: String? = nil, port: Int? = nil) -> HiveClient {
        let http = HTTPClient(.init(retry: RetryPolicy(maxAttempts: 2, baseDelayMilliseconds: 50)))
        return HiveClient(
            transport: HiveHTTPTransport(
                host: "127.0.0.1", port: port ?? peer.port, user: peer.user,
                password: password ?? peer.password, http: http, timeoutMilliseconds: 60_000))
    }

    /// Polls until the operation ends (at most `seconds`).
    static func wait(_ client: HiveClient, _ op: HiveOperation, seconds: Double = 120) throws -> HiveOperationStatus {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let status = try client.operationStatus(op)
            if status.state.isTerminal || Date() > deadline { return status }
            usleep(50_000)
        }
    }

    @Test func executeFetchAndTypedColumnsRoundTrip() throws {
        let peer = try HivePeer.require()
        let rows = try NetworkNamespace.run(peer.namespace) { () throws -> [String] in
            let client = Self.client(peer)
            let session = try client.openSession(user: peer.user, password: nil)
            defer { try? client.closeSession(session) }
            let sql =
                "SELECT id, CAST(id AS INT) AS i, id * 1.5E0 AS d, CONCAT('r', id) AS s, id % 2 = 0 AS even, "
                + "IF(id = 1, NULL, id) AS maybe FROM range(0, 3)"
            let op = try client.executeStatement(session, sql)
            let status = try Self.wait(client, op)
            #expect(status.state == .finished)
            let columns = try client.resultSetMetadata(op)
            #expect(columns.map(\.name) == ["id", "i", "d", "s", "even", "maybe"])
            #expect(columns.map(\.type) == [.bigint, .int, .double, .string, .boolean, .bigint])
            let path = NSTemporaryDirectory() + "hive-fetch-\(UUID()).csv"
            let writer = try HiveCSVWriter(path: path, columns: columns)
            while true {
                let (set, more) = try client.fetchResults(op, maxRows: 2)
                try writer.append(set)
                if !more { break }
            }
            try writer.finish()
            try client.closeOperation(op)
            return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        #expect(rows == ["id,i,d,s,even,maybe", "0,0,0.0,r0,true,0", "1,1,1.5,r1,false,", "2,2,3.0,r2,true,2"])
    }

    /// The Parquet writer's file, read back by pyarrow (from the pyspark venv), row groups of 2 rows.
    @Test func parquetWrittenFromFetchedBatchesReadsBackInPyarrow() throws {
        let peer = try HivePeer.require()
        let path = NSTemporaryDirectory() + "hive-parquet-\(UUID()).parquet"
        try NetworkNamespace.run(peer.namespace) { () throws in
            let client = Self.client(peer)
            let session = try client.openSession(user: peer.user, password: nil)
            defer { try? client.closeSession(session) }
            let sql =
                "SELECT id, CAST(id AS INT) AS i, CAST(id AS SMALLINT) AS h, id * 1.5E0 AS d, CONCAT('r,\\'', id) AS s, id % 2 = 0 AS even, "
                + "IF(id = 1, NULL, id) AS maybe, CAST(id AS DECIMAL(10, 2)) AS dec, X'AB01' AS bin FROM range(0, 5)"
            let op = try client.executeStatement(session, sql)
            #expect(try Self.wait(client, op).state == .finished)
            let writer = try HiveParquetWriter(path: path, columns: try client.resultSetMetadata(op))
            while true {
                let (set, more) = try client.fetchResults(op, maxRows: 2)
                try writer.append(set)
                if !more || set.rowCount == 0 { break }
            }
            try writer.finish()
        }
        let script = """
            import json, sys, pyarrow.parquet as pq
            f = pq.ParquetFile(sys.argv[1])
            t = f.read()
            print(json.dumps({"groups": f.num_row_groups, "types": [str(x) for x in t.schema.types],
                              "rows": [[v.hex() if isinstance(v, bytes) else v for v in r.values()] for r in t.to_pylist()]}))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: HivePeer.peersRoot + "/spark/bin/python")
        p.arguments = ["-c", script, path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "pyarrow read nothing")
        #expect(json["groups"] as? Int == 3)
        #expect(
            json["types"] as? [String] == [
                "int64", "int32", "int32", "double", "string", "bool", "int64", "string", "binary",
            ])
        let rows = try #require(json["rows"] as? [[Any]])
        #expect(rows.count == 5)
        #expect(
            rows[1].map { "\($0)" }
                == ["1", "1", "1", "1.5", "r,'1", "0", "<null>", "1.00", "ab01"].map {
                    $0 == "<null>" ? "\(NSNull())" : $0
                })
        #expect(rows[4].map { "\($0)" } == ["4", "4", "4", "6.0", "r,'4", "1", "4", "4.00", "ab01"])
    }

    @Test func fetchFirstStartsTheResultOver() throws {
        let peer = try HivePeer.require()
        let firsts = try NetworkNamespace.run(peer.namespace) { () throws -> [Int64] in
            let client = Self.client(peer)
            let session = try client.openSession(user: peer.user, password: nil)
            defer { try? client.closeSession(session) }
            let op = try client.executeStatement(session, "SELECT id FROM range(0, 10)")
            #expect(try Self.wait(client, op).state == .finished)
            var out: [Int64] = []
            for orientation in [HiveClient.FetchOrientation.first, .next, .first] {
                let (set, _) = try client.fetchResults(op, maxRows: 3, orientation: orientation)
                if case .i64(let v) = set.columns[0].values { out.append(v[0]) }
            }
            return out
        }
        #expect(firsts == [0, 3, 0])
    }

    @Test func injectionInputsComeBackAsTheSameStrings() throws {
        let peer = try HivePeer.require()
        let nasty = [
            "x'; DROP TABLE t; --", #"\'; DROP TABLE t; --"#, "${hiveconf:hive.server2.thrift.http.port}",
            "tab\tnew\nline \"q\" é ☃",
        ]
        let back = try NetworkNamespace.run(peer.namespace) { () throws -> [String] in
            let client = Self.client(peer)
            let session = try client.openSession(user: peer.user, password: nil)
            defer { try? client.closeSession(session) }
            var out: [String] = []
            for value in nasty {
                let op = try client.executeStatement(session, "SELECT " + SQLLiteral.string(value) + " AS v")
                #expect(try Self.wait(client, op).state == .finished)
                let (set, _) = try client.fetchResults(op, maxRows: 10)
                guard case .string(let r) = set.columns[0].values else { continue }
                out.append(set.string(r[0]))
            }
            return out
        }
        #expect(back == nasty)
    }

    @Test func syntaxErrorCarriesTheServersMessageAndSQLState() throws {
        let peer = try HivePeer.require()
        let (message, sqlState) = try NetworkNamespace.run(peer.namespace) { () throws -> (String, String?) in
            let client = Self.client(peer)
            let session = try client.openSession(user: peer.user, password: nil)
            defer { try? client.closeSession(session) }
            do {
                let op = try client.executeStatement(session, "SELEC 1")
                let status = try Self.wait(client, op)
                return (status.errorMessage ?? "", status.sqlState)
            } catch {
                let e = error as? HiveError
                return (e?.message ?? "\(error)", e?.sqlState)
            }
        }
        #expect(message.contains("PARSE_SYNTAX_ERROR"), "\(message)")
        #expect(sqlState == "42601")
    }

    @Test func cancelledLongQueryShowsCanceledOnTheServer() throws {
        let peer = try HivePeer.require()
        let states = try NetworkNamespace.run(peer.namespace) { () throws -> [HiveOperationState] in
            let client = Self.client(peer)
            let session = try client.openSession(user: peer.user, password: nil)
            defer { try? client.closeSession(session) }
            let op = try client.executeStatement(
                session, "SELECT reflect('java.lang.Thread', 'sleep', CAST(20000 AS BIGINT))")
            usleep(500_000)
            let before = try client.operationStatus(op).state
            try client.cancelOperation(op)
            return [before, try client.operationStatus(op).state]
        }
        #expect([.running, .pending, .initialized].contains(states[0]))
        #expect(states[1] == .canceled)
    }

    @Test func handlesFromOneClientWorkFromAnother() throws {
        let peer = try HivePeer.require()
        let state = try NetworkNamespace.run(peer.namespace) { () throws -> HiveOperationState in
            let first = Self.client(peer)
            let session = try first.openSession(user: peer.user, password: nil)
            let op = try first.executeStatement(session, "SELECT 41 + 1")
            // As a restarted host would: only the stored handles, a new HTTP client, new connections.
            let stored = HiveOperation(json: op.json)!,
                storedSession = HiveSession(id: HiveHandle(json: session.id.json)!)
            let second = Self.client(peer)
            let status = try Self.wait(second, stored)
            let (set, _) = try second.fetchResults(stored, maxRows: 10)
            if case .i32(let v) = set.columns[0].values {
                #expect(v == [42])
            } else {
                Issue.record("not an INT column")
            }
            try second.closeSession(storedSession)
            return status.state
        }
        #expect(state == .finished)
    }

    @Test func wrongPasswordIsRefusedCredentialsAndADeadPortIsUnreachable() throws {
        let peer = try HivePeer.require()
        let (wrong, dead) = try NetworkNamespace.run(peer.namespace) { () -> (HiveError?, HiveError?) in
            var wrong: HiveError?, dead: HiveError?
            do {
                _ = try Self.client(peer, password: "not-the-password").openSession(user: peer.user, password: nil)
            } catch { wrong = error as? HiveError }
            do { _ = try Self.client(peer, port: 1).openSession(user: peer.user, password: nil) } catch {
                dead = error as? HiveError
            }
            return (wrong, dead)
        }
        #expect(wrong?.kind == .credentials)
        #expect(wrong.map { !$0.description.contains("not-the-password") } == true)
        #expect(dead?.kind == .unreachable)
        #expect(dead?.isTransient == true)
    }

    @Test func binaryTransportWithSASLPlainExecutesAndFetches() throws {
        let peer = try HivePeer.require()
        let value = try NetworkNamespace.run(peer.namespace) { () throws -> Int64? in
            let transport = try HiveTCPTransport(
                host: "127.0.0.1", port: peer.binaryPort, user: peer.user, password: peer.password)
            defer { transport.close() }
            let client = HiveClient(transport: transport)
            let session = try client.openSession(user: peer.user, password: nil)
            let op = try client.executeStatement(session, "SELECT SUM(id) AS total FROM range(0, 1000)")
            #expect(try Self.wait(client, op).state == .finished)
            let (set, _) = try client.fetchResults(op, maxRows: 10)
            try client.closeSession(session)
            if case .i64(let v) = set.columns.first?.values { return v.first }
            return nil
        }
        #expect(value == 499_500)
    }

    @Test func binaryTransportRefusesAWrongPasswordAndADeadPort() throws {
        let peer = try HivePeer.require()
        let (wrong, dead) = try NetworkNamespace.run(peer.namespace) { () -> (HiveError?, HiveError?) in
            var wrong: HiveError?, dead: HiveError?
            do {
                _ = try HiveTCPTransport(
                    host: "127.0.0.1", port: peer.binaryPort, user: peer.user, password: "not-the-password")
            } catch {
                wrong = error as? HiveError
            }
            do { _ = try HiveTCPTransport(host: "127.0.0.1", port: 1, user: peer.user, password: peer.password) } catch
            { dead = error as? HiveError }
            return (wrong, dead)
        }
        #expect(wrong?.kind == .credentials, "\(String(describing: wrong))")
        #expect(wrong.map { !$0.description.contains("not-the-password") } == true)
        #expect(dead?.kind == .unreachable)
    }
}
