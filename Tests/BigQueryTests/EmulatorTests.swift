import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// Query jobs against a real bqemulator, with real service-account auth: the key signs a JWT, a token
/// endpoint started here verifies it and issues the token every BigQuery call carries (the emulator itself
/// ignores it).
@Suite(.serialized, .timeLimit(.minutes(5))) struct EmulatorTests {
    struct Setup {
        let harness: Harness
        let account: ServiceAccount
        let tokens: ServiceAccount.TokenEndpoint
        let keyJSON: String
        let dataset: String
    }

    static func setup(config: [String: JSON] = [:]) async throws -> Setup {
        let emulator = try BigQueryEmulator.require()
        let account = try ServiceAccount.make()
        let tokens = try account.tokenEndpoint()
        let key = try account.keyJSON(tokenURI: tokens.uri)
        let h = try await Harness.make(
            config: ["endpoint": .string(emulator.endpoint)].merging(config) { $1 }, keyJSON: key)
        return Setup(
            harness: h, account: account, tokens: tokens, keyJSON: key, dataset: try BigQueryEmulator.dataset())
    }

    static func pipeline(_ dataset: String) -> String {
        """
        tasks:
          create:
            type: bigquery
            outputs: {sales: dataset<bigquery>}
            config:
              query: >-
                CREATE TABLE \(dataset).sales AS
                SELECT 'north' AS region, 10 AS amount UNION ALL SELECT 'north', 25 UNION ALL
                SELECT 'south', 40 UNION ALL SELECT 'east', 5 UNION ALL SELECT 'west', 70
          totals:
            type: bigquery_query_job_task
            inputs: {sales: dataset<bigquery>, min_amount: integer, regions: list<string>, label: string}
            outputs: {rows: dataset<csv>, table: dataset<bigquery>}
            config:
              query: >-
                SELECT region, SUM(amount) AS total, @label AS label FROM {{inputs.sales}}
                WHERE amount >= @min_amount AND region IN UNNEST(@regions) GROUP BY region ORDER BY region
              priority: BATCH
              labels: {team: data}
              maximum_bytes_billed: 1000000000
          count:
            type: bigquery
            inputs: {sales: dataset<bigquery>, min_amount: integer}
            outputs: {n: integer, biggest: float, seen: optional<string>, job_id: string}
            config:
              query: SELECT COUNT(*) AS n, CAST(MAX(amount) AS FLOAT64) AS biggest, CAST(NULL AS STRING) AS seen FROM {{inputs.sales}} WHERE amount >= @min_amount
          sum_csv:
            type: container
            inputs: {rows: dataset<csv>}
            outputs: {total: integer, lines: integer}
            container:
              command: [python3, -c, "import csv,json,sys; r=list(csv.DictReader(open(sys.argv[1]))); json.dump({'total': sum(int(x['total']) for x in r), 'lines': len(r)}, open(sys.argv[2]+'/outputs.json','w'))", "{{inputs.rows}}", "{{output_dir}}"]
        workflows:
          w:
            inputs: {min_amount: {type: integer, default: 10}, regions: {type: list<string>, default: [north, south, west]}}
            outputs: {total: {type: integer, from: $sum.total}, n: {type: integer, from: $count.n}}
            nodes:
              - {id: create, task: create}
              - {id: totals, task: totals, inputs: {sales: $create.sales, min_amount: $inputs.min_amount, regions: $inputs.regions, label: "it's"}}
              - {id: count, task: count, inputs: {sales: $create.sales, min_amount: $inputs.min_amount}}
              - {id: sum, task: sum_csv, inputs: {rows: $totals.rows}}
        """
    }

    @Test func aWorkflowCreatesATableQueriesItWithParametersAndFeedsTheRowsDownstream() async throws {
        let s = try await Self.setup()
        defer {
            s.harness.host.shutdown()
            s.tokens.process.terminate()
        }
        let e = try await s.harness.run(Self.pipeline(s.dataset), inputs: ["min_amount": .integer(20)])
        #expect(e.phase == .succeeded, "\(e.error ?? "")")
        let project = try BigQueryEmulator.require().project
        #expect(
            try s.harness.node(e, "create").outputs?["sales"]
                == .dataset(DatasetValue(uri: "bq://\(project).\(s.dataset).sales", format: "bigquery")))
        // north 25 + south 40 + west 70; east is not asked for and north's 10 is below the minimum.
        #expect(try s.harness.node(e, "sum").outputs?["total"] == .integer(135))
        #expect(try s.harness.node(e, "sum").outputs?["lines"] == .integer(3))
        guard case .dataset(let rows)? = try s.harness.node(e, "totals").outputs?["rows"] else {
            Issue.record("no rows")
            return
        }
        #expect(rows.format == "csv")
        let csv = try String(contentsOfFile: String(rows.uri.dropFirst("file://".count)), encoding: .utf8)
        #expect(csv == "region,total,label\nnorth,25,it's\nsouth,40,it's\nwest,70,it's\n")
        guard case .dataset(let table)? = try s.harness.node(e, "totals").outputs?["table"] else {
            Issue.record("no table")
            return
        }
        #expect(table.uri.hasPrefix("bq://\(project).") && table.format == "bigquery")
        let count = try s.harness.node(e, "count")
        #expect(count.outputs?["n"] == .integer(3))
        #expect(count.outputs?["biggest"] == .float(70))
        #expect(count.outputs?["seen"] == Literal.none)
        #expect(count.outputs?["job_id"] == .string("aloft_" + (count.taskExecutionID ?? "")))
        // Job statistics in the node's status.
        #expect(count.statusMessage?.hasPrefix("done: bytes processed ") == true, "\(count.statusMessage ?? "")")
        // What was sent: parameters, not text; the job configuration as declared.
        let job = try BigQueryEmulator.rest(
            "GET", "/jobs/aloft_" + (try s.harness.node(e, "totals").taskExecutionID ?? ""))
        let query = (job["configuration"] as? [String: Any])?["query"] as? [String: Any]
        #expect((query?["query"] as? String)?.contains("FROM `\(project).\(s.dataset).sales`") == true)
        #expect((query?["query"] as? String)?.contains("it's") == false)
        // One token for the whole run, fetched with a JWT the endpoint verified.
        #expect(s.tokens.issued.count == 1 && s.tokens.refusals.isEmpty)
    }

    @Test func aTableOutputsDeclaredColumnsAreCheckedAgainstItsSchema() async throws {
        let s = try await Self.setup()
        defer {
            s.harness.host.shutdown()
            s.tokens.process.terminate()
        }
        func spec(_ columns: String) -> String {
            """
            tasks:
              t:
                type: bigquery
                outputs:
                  sales: {type: {dataset: {format: bigquery, columns: [\(columns)]}}}
                config: {query: "CREATE OR REPLACE TABLE \(s.dataset).typed AS SELECT 'north' AS region, 10 AS amount"}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """
        }
        let good = try await s.harness.run(spec("{name: region, type: string}, {name: amount, type: integer}"))
        #expect(good.phase == .succeeded, "\(good.error ?? "")")
        let wrong = try await s.harness.run(spec("{name: region, type: string}, {name: amount, type: boolean}"))
        let error = try #require(try s.harness.node(wrong).state.lastError)
        #expect(
            error.code == .plugin("SchemaMismatch")
                && error.message.hasSuffix(
                    "column \"amount\" of aloft-test.\(s.dataset).typed is INTEGER, declared boolean"),
            "\(error.message)")
        let missing = try await s.harness.run(spec("{name: day, type: datetime}"))
        let error2 = try #require(try s.harness.node(missing).state.lastError)
        #expect(
            error2.message.hasSuffix(
                "table aloft-test.\(s.dataset).typed has no column \"day\"; its columns: region, amount"),
            "\(error2.message)")
    }

    @Test func anInvalidQueryIsAPermanentUserErrorWithBigQuerysMessageAndLocation() async throws {
        let s = try await Self.setup()
        defer {
            s.harness.host.shutdown()
            s.tokens.process.terminate()
        }
        let spec = """
            tasks:
              t: {type: bigquery, outputs: {n: integer}, retries: 2, config: {query: "SELEC 1 AS n"}}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """
        let e = try await s.harness.run(spec)
        #expect(e.phase == .failed)
        let a = try s.harness.node(e)
        let error = try #require(a.state.lastError)
        #expect(error.kind == .user && !error.retryable && error.code == .plugin("invalidQuery"))
        #expect(
            error.message.contains("Syntax error") && error.message.contains("SELEC")
                && error.message.contains("(location: query)"), "\(error.message)")
        #expect(a.state.userFailures == 1)  // not retried
    }

    @Test func anUnknownDatasetIsAClearUserError() async throws {
        let s = try await Self.setup()
        defer {
            s.harness.host.shutdown()
            s.tokens.process.terminate()
        }
        let spec = """
            tasks:
              t: {type: bigquery, outputs: {n: integer}, config: {query: "SELECT COUNT(*) AS n FROM no_such_dataset.t"}}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """
        let e = try await s.harness.run(spec)
        #expect(e.phase == .failed)
        let error = try #require(try s.harness.node(e).state.lastError)
        #expect(error.kind == .user && !error.retryable)
        #expect(
            error.message.contains("notFound: Not found: Dataset") && error.message.contains("no_such_dataset"),
            "\(error.message)")
    }

    @Test func aQueryParameterOfTheWrongTypeIsAClearUserError() async throws {
        let s = try await Self.setup()
        defer {
            s.harness.host.shutdown()
            s.tokens.process.terminate()
        }
        // @day is a STRING (the input is a string); the query adds a number to it.
        let spec = """
            tasks:
              t: {type: bigquery, inputs: {day: string}, outputs: {n: integer}, config: {query: "SELECT @day + 1 AS n"}}
            workflows:
              w: {inputs: {day: string}, nodes: [{id: a, task: t, inputs: {day: $inputs.day}}]}
            """
        let e = try await s.harness.run(spec, inputs: ["day": .string("monday")])
        #expect(e.phase == .failed)
        let error = try #require(try s.harness.node(e).state.lastError)
        #expect(error.kind == .user && !error.retryable, "\(error)")
        #expect(error.message.hasPrefix("BigQuery job aloft_"), "\(error.message)")
    }

    @Test func aMalformedKeyIsAClearCredentialsErrorThatShowsNoKeyMaterial() async throws {
        let emulator = try BigQueryEmulator.require()
        let account = try ServiceAccount.make()
        // A key whose PEM body was cut short: base64 that is not a key.
        let body = account.privateKeyBody
        let cut = account.privateKeyPEM.replacingOccurrences(of: body[3] + "\n" + body[4] + "\n", with: "")
        let broken = try account.keyJSON(tokenURI: "http://127.0.0.1:1/token", pem: cut)
        let h = try await Harness.make(config: ["endpoint": .string(emulator.endpoint)], keyJSON: broken)
        defer { h.host.shutdown() }
        let e = try await h.run(
            """
            tasks:
              t: {type: bigquery, outputs: {n: integer}, config: {query: "SELECT 1 AS n"}}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """)
        let error = try #require(try h.node(e).state.lastError)
        #expect(error.code == .plugin("Credentials") && error.kind == .user && !error.retryable)
        #expect(
            error.message
                == "the secret gcp_service_account_key: \"private_key\" is not a private key OpenSSL can read",
            "\(error.message)")

        let notJSON = try await Harness.make(
            config: ["endpoint": .string(emulator.endpoint)],
            keyJSON: "{\"type\": \"service_account\", \"client_email\": 3")
        defer { notJSON.host.shutdown() }
        let e2 = try await notJSON.run(
            """
            tasks:
              t: {type: bigquery, outputs: {n: integer}, config: {query: "SELECT 1 AS n"}}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """)
        let error2 = try #require(try notJSON.node(e2).state.lastError)
        #expect(
            error2.message == "the secret gcp_service_account_key is not a service-account key: not a JSON object",
            "\(error2.message)")
        for line in body { #expect(!error.message.contains(line) && !error2.message.contains(line)) }
    }
}
