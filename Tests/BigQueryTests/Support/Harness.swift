import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import Logging
import PluginHost
import Synchronization
import Testing

/// The BigQuery plugin loaded from its own shared library (and the Container plugin for downstream tasks),
/// driven by the engine; specs compile against the host, so the plugin's compile-time check runs too.
struct Harness {
    let host: PluginHost
    let engine: ExecutionEngine
    let store: SQLiteMetadataStore
    let directory: String
    let logs: LogLines

    func compile(_ yaml: String) -> CompilationResult {
        Compiler(resolver: PluginTaskTypeResolver(host: host)).compile(text: yaml, path: "/virtual/spec.yaml")
    }

    func run(
        _ yaml: String, workflow: String = "w", inputs: LiteralMap = [:], id: String = ExecutionID.make(),
        events: @escaping @Sendable (EngineEvent) -> Void = { _ in }
    ) async throws -> ExecutionRecord {
        let r = compile(yaml)
        let spec = try #require(r.spec, "\(r.diagnostics)")
        return try await engine.run(
            spec, workflow: workflow, inputs: inputs, project: "p", domain: "development", id: id, events: events)
    }

    func node(_ e: ExecutionRecord, _ name: String = "a") throws -> NodeRecord {
        try #require(try store.nodes(execution: e.id).first { $0.node == name })
    }

    /// The plugin config (endpoint, project, token_uri, ...) and the key JSON as the host secret
    /// gcp_service_account_key (nil: no secret).
    static func make(config: [String: JSON], keyJSON: String? = nil) async throws -> Harness {
        let dir = NSTemporaryDirectory() + "aloft-bigquery-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        for lib in ["libAloftPluginBigQuery.so", "libAloftPluginContainer.so"] {
            try FileManager.default.copyItem(
                atPath: Fixtures.buildDirectory + "/" + lib, toPath: dir + "/plugins/" + lib)
        }
        var environment: [String: String] = [:]
        if let keyJSON { environment["ALOFT_SECRET_GCP_SERVICE_ACCOUNT_KEY"] = keyJSON }
        let logs = LogLines()
        let host = await Fixtures.host(
            directory: dir + "/plugins",
            configure: {
                $0.pluginConfig["aloft.bigquery"] = .object(
                    config.merging(["poll_seconds": .float(0.01)]) { a, _ in a })
                $0.secretGrants["aloft.bigquery"] = ["gcp_service_account_key"]
            }, environment: environment, logger: logs.logger)
        let store = try SQLiteMetadataStore(path: dir + "/metadata.sqlite")
        let engine = ExecutionEngine(
            host: host, store: store, blobs: try LocalBlobStore(root: dir + "/blobs"),
            options: EngineOptions(minPollInterval: .milliseconds(1), maxPollInterval: .milliseconds(50)))
        return Harness(host: host, engine: engine, store: store, directory: dir, logs: logs)
    }
}

/// Every line the host logs (plugins' logs included, at every level), for tests that grep them for secrets.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    var logger: Logger {
        var l = Logger(label: "aloft-bigquery-test") { _ in Handler(sink: self) }
        l.logLevel = .trace
        return l
    }

    struct Handler: LogHandler {
        let sink: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.lines.withLock {
                $0.append("\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "")")
            }
        }
    }
}

/// The status lines the engine reported while polling.
final class StatusLines: Sendable {
    private let lines = Mutex<[String]>([])
    func record(_ event: EngineEvent) {
        if case .nodeStatus(_, let line) = event { lines.withLock { $0.append(line) } }
    }
    var all: [String] { lines.withLock { $0 } }
}

/// Fixtures/recorded_bigquery.py: recorded answers per route, relayed to `upstream` where none are given.
struct Recorded {
    let port: Int
    let scenario: String
    let journal: String
    let process: Process

    var endpoint: String { "http://127.0.0.1:\(port)" }

    static func start(_ answers: [String: [[String: Any]]], upstream: String? = nil) throws -> Recorded {
        let dir = NSTemporaryDirectory() + "aloft-bq-recorded-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let scenario = dir + "/scenario.json", journal = dir + "/journal"
        try JSONSerialization.data(withJSONObject: answers).write(to: URL(fileURLWithPath: scenario))
        _ = FileManager.default.createFile(atPath: journal, contents: nil)
        let (p, port) = try PythonPeer.start(
            BigQueryFixtures.path("recorded_bigquery.py"), [scenario, journal] + (upstream.map { [$0] } ?? []))
        return Recorded(port: port, scenario: scenario, journal: journal, process: p)
    }

    func set(_ answers: [String: [[String: Any]]]) throws {
        try JSONSerialization.data(withJSONObject: answers).write(to: URL(fileURLWithPath: scenario))
    }

    struct Call {
        let route: String
        let token: String
        let path: String
        let body: String
    }

    func calls() -> [Call] {
        ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            return Call(
                route: parts[0], token: parts.count > 1 ? parts[1] : "", path: parts.count > 2 ? parts[2] : "",
                body: parts.count > 3 ? parts[3] : "")
        }
    }

    var routes: [String] { calls().map(\.route) }
}
