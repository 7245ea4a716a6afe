import AloftCompiler
import AloftEngine
import AloftWire
import Foundation
import Logging
import PluginHost

/// The engine with durable state on (SQLite in a temporary directory), echo tasks on the C echo plugin.
enum EngineBench {
    static func host() async throws -> PluginHost {
        let cEcho = try ABIRoundTrip.buildCEcho()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-bench-engine-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: dir + "/libc_echo.so")
        try FileManager.default.copyItem(atPath: cEcho, toPath: dir + "/libc_echo.so")
        var config = HostConfiguration()
        config.searchBuiltin = false
        return await PluginHost.start(configuration: config, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
                                      directories: [PluginDirectory(path: dir, origin: .config)])
    }

    static func engine(_ host: PluginHost) throws -> ExecutionEngine {
        let root = NSTemporaryDirectory() + "aloft-bench-store-\(UUID())"
        return ExecutionEngine(host: host, store: try SQLiteMetadataStore(path: root + "/metadata.sqlite"), blobs: try LocalBlobStore(root: root + "/blobs"),
                               options: EngineOptions(parallelism: 64, overallParallelism: 64, minPollInterval: .microseconds(100)))
    }

    static func chain(nodes: Int) async throws {
        var yaml = "tasks:\n  t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}\nworkflows:\n  w:\n    nodes:\n      - {id: n0, task: t, inputs: {x: 1}}\n"
        for i in 1..<nodes { yaml += "      - {id: n\(i), task: t, inputs: {x: $n\(i - 1).x}}\n" }
        let spec = Compiler().compile(text: yaml, path: "/tmp/chain.yaml").spec!
        let host = try await host()
        let engine = try engine(host)
        print("Chain of \(nodes) echo tasks, durable state on (SQLite, WAL), release build.")
        let t0 = now()
        let e = try await engine.run(spec, workflow: "w", inputs: [:], project: "bench", domain: "development")
        let elapsed = Double(now() - t0) / 1e9
        precondition(e.phase == .succeeded, e.error ?? "")
        print(String(format: "total %.2f s   per node %.1f µs   target ≤ 20 µs   peak RSS %.1f MB", elapsed, elapsed / Double(nodes) * 1e6, peakRSSMegabytes()))
        host.shutdown()
    }

    static func map(items: Int) async throws {
        let yaml = """
            tasks:
              t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
            workflows:
              w:
                inputs: {xs: list<integer>}
                nodes: [{id: m, map: {task: t, over: {x: $inputs.xs}, concurrency: 64}}]
            """
        let spec = Compiler().compile(text: yaml, path: "/tmp/map.yaml").spec!
        let host = try await host()
        let engine = try engine(host)
        print("Map of \(items) echo items (concurrency 64), durable state on, release build.")
        let t0 = now()
        let e = try await engine.run(spec, workflow: "w", inputs: ["xs": .list((0..<items).map { .integer(Int64($0)) })], project: "bench", domain: "development")
        let elapsed = Double(now() - t0) / 1e9
        precondition(e.phase == .succeeded, e.error ?? "")
        print(String(format: "total %.2f s (target ≤ 2 s)   per item %.1f µs   peak RSS %.1f MB (target ≤ 300 MB)", elapsed, elapsed / Double(items) * 1e6, peakRSSMegabytes()))
        host.shutdown()
    }
}
