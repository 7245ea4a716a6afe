public import AloftEngine
import FoundationEssentials
import Hummingbird
public import Logging
import NIOCore
public import PluginHost

/// `aloft serve`: the JSON API over the metadata and blob stores, on Hummingbird. Executions launched through
/// it run on its one engine (with its one plugin host); stopping the server aborts those still running.
/// With `workers`, they are queued for `aloft worker` processes instead (WorkerHandoff).
public struct APIServer: Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        /// Serve HTTPS with this certificate and key (nil: plain HTTP).
        public var tls: TLSServerContext?

        public init(host: String, port: Int, tls: TLSServerContext? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
        }

        /// `HOST:PORT` (port 0: any free port); a clear error otherwise.
        public init(address: String) throws {
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                (0...65535).contains(port), colon != address.startIndex
            else {
                throw ServerSettingsError(
                    "--address \(address): expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free one)")
            }
            self.init(host: String(address[..<colon]), port: port)
        }
    }

    let settings: Settings
    let state: ServerState
    let logger: Logger

    public init(
        settings: Settings, store: any MetadataStore, readers: [any MetadataStore] = [], blobs: any BlobStore,
        host: PluginHost, engineOptions: EngineOptions = EngineOptions(), workers: Bool = false, logger: Logger
    ) {
        self.settings = settings
        self.logger = logger
        let engine = ExecutionEngine(host: host, store: store, blobs: blobs, options: engineOptions)
        state = ServerState(
            store: store, readers: StoreReaders(readers, fallback: store), blobs: blobs, host: host,
            runs: BackgroundRuns(engine: engine),
            workers: workers ? WorkerHandoff(store: store) : nil)
    }

    /// Serves until SIGINT or SIGTERM; `onListening` gets the bound address (`http://127.0.0.1:PORT`, or
    /// `https://` with TLS).
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let router = Router(context: ServerContext.self)
        let routes = Routes.table(state)
        router.add(middleware: ErrorMiddleware(logger: logger, routes: routes))
        Routes.install(on: router, routes, readers: state.readers)
        let host = settings.host
        let scheme = settings.tls == nil ? "http" : "https"
        let app = Application(
            router: router, server: settings.tls.map { .http1OverOpenSSL($0) } ?? .http1(),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "aloft"),
            onServerRunning: { channel in
                onListening("\(scheme)://\(host):\(channel.localAddress?.port ?? 0)")
            },
            logger: logger)
        do { try await app.runService() } catch {
            await state.runs.stopAll()
            throw error
        }
        await state.runs.stopAll()
    }
}

public struct ServerSettingsError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
