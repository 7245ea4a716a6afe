import AloftHTTP
import AloftHive
import PluginKit
import Synchronization

/// The transports the plugin's tasks use. Over HTTP a client is made per call (the server keeps sessions
/// between requests). Over binary TCP the session lives exactly as long as its connection, so the
/// connection a task opened in submit is kept here, by session, until finalize; a host that restarted has
/// none, and the task's session is gone with it.
final class HiveConnections: Sendable {
    private let connection: HiveConnection
    private let host: HostServices
    private let http: HTTPClient
    private let open = Mutex<[HiveHandle: HiveTCPTransport]>([:])

    init(connection: HiveConnection, host: HostServices, http: HTTPClient) {
        self.connection = connection
        self.host = host
        self.http = http
    }

    var isBinary: Bool { connection.transport == "binary" }

    /// A client on a new connection (binary) or a new HTTP transport, for submit.
    func newClient() throws(PluginError) -> (client: HiveClient, tcp: HiveTCPTransport?) {
        if isBinary {
            let tcp = try connection.tcpTransport(host: host)
            return (HiveClient(transport: tcp), tcp)
        }
        return (HiveClient(transport: try connection.httpTransport(host: host, http: http)), nil)
    }

    /// Keeps a binary connection for the session it carries.
    func keep(_ tcp: HiveTCPTransport?, for session: HiveSession) {
        guard let tcp else { return }
        open.withLock { $0[session.id] = tcp }
    }

    /// A client for a stored session: over HTTP always; over binary TCP only while this process holds the
    /// session's connection (nil otherwise: the session died with the connection).
    func client(for session: HiveSession) throws(PluginError) -> HiveClient? {
        guard isBinary else { return HiveClient(transport: try connection.httpTransport(host: host, http: http)) }
        let tcp = open.withLock { connections -> HiveTCPTransport? in
            guard let tcp = connections[session.id], tcp.isOpen else {
                connections[session.id] = nil  // a broken connection took its session along
                return nil
            }
            return tcp
        }
        return tcp.map { HiveClient(transport: $0) }
    }

    /// Drops (and closes) a session's binary connection.
    func release(_ session: HiveSession) {
        open.withLock { $0.removeValue(forKey: session.id) }?.close()
    }
}
