import AloftCommandLine
import AloftEngine
import AloftServer
import ArgumentParser
import Glibc
import PluginHost

/// `aloft serve`: `aloft` runs this binary (`aloft-server`, beside it) with the arguments after `serve`.
@main
struct ServeCommand: AsyncParsableCommand {
    /// Connections the API reads through besides the main one (more than the task pool's threads, so two
    /// requests rarely share one).
    static let readConnections = 4
    static let configuration = CommandConfiguration(
        commandName: "aloft serve",
        abstract: "Serve the JSON API over the stores; executions launched through it run in this process.",
        discussion: """
            Every /api/v1 route needs `Authorization: Bearer TOKEN` (`aloft tokens create`) and sees only the \
            token's projects. Open: /healthz, /readyz, /api/openapi.json. docs/server.md describes the API. \
            SIGINT or SIGTERM stops the server and aborts the executions it runs.
            """)

    @Option(help: "HOST:PORT to listen on (port 0: any free port; the address is printed).")
    var address = "127.0.0.1:8080"
    @Option(help: "Serve HTTPS: the server's certificate chain, PEM (with --tls-key; TLS 1.2 or newer, OpenSSL).")
    var tlsCert: String?
    @Option(help: "The private key of --tls-cert, PEM.")
    var tlsKey: String?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var host: HostOptions
    @Option(help: "Look for new plugin files in the plugin directories every this many seconds (0: never).")
    var pluginScanSeconds = 2.0
    @Flag(
        help: """
            Queue launches, relaunches and recovers for `aloft worker` processes sharing the store (as `run --detach` \
            does) instead of running them in this process.
            """)
    var workers = false

    func run() async throws {
        var settings: APIServer.Settings
        do {
            settings = try APIServer.Settings(address: address)
            switch (tlsCert, tlsKey) {
            case (let cert?, let key?): settings.tls = try TLSServerContext(certificate: cert, key: key)
            case (nil, nil): break
            default: throw CLIError("--tls-cert and --tls-key go together: give both or neither")
            }
        } catch { throw CLIError("\(error)") }
        guard pluginScanSeconds >= 0, pluginScanSeconds.isFinite else {
            throw CLIError("--plugin-scan-seconds \(pluginScanSeconds): expected a number of seconds >= 0")
        }
        let (store, blobs) = try storeOptions.open()
        let pluginHost = try await HostStartup.start(host)
        defer { pluginHost.shutdown() }
        let watcher = PluginWatcher(host: pluginHost, interval: .seconds(pluginScanSeconds))
        let scanning = pluginScanSeconds > 0 ? Task { await watcher.run() } : nil
        defer { scanning?.cancel() }
        if try store.tokens().allSatisfy(\.revoked) {
            var stderr = StandardError()
            print("note: no active API tokens; `aloft tokens create --project P --role viewer` makes one", to: &stderr)
        }
        // Read connections for the API's GETs, so requests do not queue behind one connection's lock.
        let readers = try (0..<Self.readConnections).map { _ in try storeOptions.openMetadata() }
        let server = APIServer(
            settings: settings, store: store, readers: readers, blobs: blobs, host: pluginHost, workers: workers,
            logger: HostStartup.logger(verbose: host.verbose))
        try await server.run { url in
            print("listening on \(url)")
            fflush(nil)
        }
    }
}
