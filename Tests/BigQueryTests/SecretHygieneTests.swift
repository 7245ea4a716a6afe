import AloftEngine
import AloftWire
import Foundation
import PluginHost
import Testing

/// The private key and the access tokens never reach logs, errors, the metadata store or outputs: a run that
/// succeeds, one that fails and one refused by BigQuery (401, on recorded responses), then a grep of everything
/// they left for every line of the key and every token issued.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SecretHygieneTests {
    @Test func theKeyAndTheTokensAppearInNoLogErrorStoreOrOutputIncludingOnRecordedResponses() async throws {
        let s = try await EmulatorTests.setup()
        defer {
            s.harness.host.shutdown()
            s.tokens.process.terminate()
        }
        let good = try await s.harness.run(EmulatorTests.pipeline(s.dataset))
        #expect(good.phase == .succeeded, "\(good.error ?? "")")
        let bad = try await s.harness.run(
            """
            tasks:
              t: {type: bigquery, outputs: {n: integer}, config: {query: "SELEC 1 AS n"}}
            workflows:
              w: {nodes: [{id: a, task: t}]}
            """)
        #expect(bad.phase == .failed)
        let r = try Recorded.start(["jobs.insert": [["fixture": "error-unauthorized.json"]]])
        defer { r.process.terminate() }
        let refused = try await Harness.make(
            config: ["endpoint": .string(r.endpoint), "token_uri": .string(s.tokens.uri)], keyJSON: s.keyJSON)
        defer { refused.host.shutdown() }
        let denied = try await refused.run(RecordedResponseTests.spec)
        #expect(denied.phase == .failed)

        let tokens = s.tokens.issued
        #expect(tokens.count == 3)  // one per plugin, one refresh after the 401
        #expect(r.calls().map(\.token) == Array(tokens.suffix(2)))  // the tokens were really sent

        var haystack: [(String, String)] = []
        for h in [s.harness, refused] {
            haystack += h.logs.all.map { ("log", $0) }
            for file in FileManager.default.enumerator(atPath: h.directory)?.compactMap({ $0 as? String }) ?? []
            where !file.hasPrefix("plugins") {
                if let data = FileManager.default.contents(atPath: h.directory + "/" + file) {
                    haystack.append((file, String(decoding: data, as: UTF8.self)))
                }
            }
        }
        for (h, e) in [(s.harness, good), (s.harness, bad), (refused, denied)] {
            haystack.append(("error", e.error ?? ""))
            for n in try h.store.nodes(execution: e.id) {
                haystack.append(
                    (
                        "node",
                        "\(n.state.lastError.map { "\($0.code) \($0.message)" } ?? "") \(n.statusMessage ?? "") \(n.outputs ?? [:])"
                    ))
                haystack.append(("state", String(decoding: n.resourceState ?? [], as: UTF8.self)))
            }
        }
        #expect(haystack.contains { $0.0 == "metadata.sqlite" })
        // The grep sees what it should: the plugin's own HTTP log lines, the errors, the store.
        #expect(haystack.contains { $0.0 == "log" && $0.1.contains("bigquery: POST http://127.0.0.1:") })
        #expect(
            haystack.contains {
                $0.0 == "log" && $0.1.contains("bigquery: GET http://127.0.0.1:") && $0.1.contains("/queries/")
            })
        #expect(haystack.contains { $0.0 == "error" && $0.1.contains("invalidQuery") })
        let secrets = s.account.privateKeyTraces + tokens
        for (place, text) in haystack {
            for secret in secrets where text.contains(secret) {
                Issue.record("a secret (\(secret.prefix(12))...) appears in \(place)")
            }
        }
    }
}
