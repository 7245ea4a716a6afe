import AloftHTTP
import Foundation
import PluginKit

/// The part of the Docker Engine API (v1.41) that `podman system service` serves and the podman backend
/// uses: create, start, inspect, wait, logs, kill, remove. Spoken over a unix socket with the shared client.
struct EngineAPI {
    let client: HTTPClient
    let socket: String
    private let base = "http://d/v1.41"

    init(socket: String, log: (@Sendable (String) -> Void)?) {
        var configuration = HTTPClient.Configuration(unixSocketPath: socket, log: log)
        configuration.connectTimeoutMilliseconds = 2_000
        configuration.requestTimeoutMilliseconds = 30_000
        client = HTTPClient(configuration)
        self.socket = socket
    }

    struct ContainerState {
        var id: String
        /// created, running, paused, exited, stopped, dead, ...
        var status: String
        var exitCode: Int
        var oomKilled: Bool
        var error: String
        var running: Bool {
            ["created", "running", "paused", "restarting", "configured", "initialized"].contains(status)
        }
    }

    enum CreateOutcome { case created(id: String), exists, noImage(String) }

    func create(name: String, body: JSON) throws(PluginError) -> CreateOutcome {
        let response = try send(
            HTTPRequest(
                "POST", "\(base)/containers/create?name=\(name)",
                headers: [("Content-Type", "application/json")], body: JSONWriter.encode(body),
                retryable: true))  // the name makes a repeat answer 409
        switch response.status {
        case 201:
            guard let id = (try? JSONParser.parse(response.body))?["Id"]?.stringValue else {
                throw .system(
                    "the container engine's create answer has no Id: \(response.text.prefix(200))", code: "EngineAPI")
            }
            return .created(id: id)
        case 409: return .exists
        case 404: return .noImage(Self.message(response))
        default: throw unexpected("create container \(name)", response)
        }
    }

    func start(_ id: String) throws(PluginError) {
        let response = try send(HTTPRequest("POST", "\(base)/containers/\(id)/start", retryable: true))
        // 304: already started, which is what a repeated submit wants.
        guard response.status == 204 || response.status == 304 else {
            throw unexpected("start container \(id)", response)
        }
    }

    /// nil when there is no such container.
    func inspect(_ idOrName: String) throws(PluginError) -> ContainerState? {
        let response = try send(HTTPRequest("GET", "\(base)/containers/\(idOrName)/json"))
        if response.status == 404 { return nil }
        guard response.status == 200, let json = try? JSONParser.parse(response.body), let state = json["State"] else {
            throw unexpected("inspect container \(idOrName)", response)
        }
        return ContainerState(
            id: json["Id"]?.stringValue ?? idOrName, status: state["Status"]?.stringValue ?? "unknown",
            exitCode: Int(state["ExitCode"]?.integerValue ?? -1), oomKilled: state["OOMKilled"]?.boolValue ?? false,
            error: state["Error"]?.stringValue ?? "")
    }

    /// Blocks until the container stops (no time limit); used by a waiter thread to request an early poll.
    func wait(_ id: String) {
        var request = HTTPRequest("POST", "\(base)/containers/\(id)/wait?condition=not-running", retryable: false)
        request.timeoutMilliseconds = 0  // libcurl: no limit
        _ = try? client.send(request)
    }

    /// stdout and stderr, split from the engine's multiplexed stream.
    func logs(_ id: String) throws(PluginError) -> (stdout: [UInt8], stderr: [UInt8]) {
        let response = try send(HTTPRequest("GET", "\(base)/containers/\(id)/logs?stdout=true&stderr=true"))
        guard response.status == 200 else { throw unexpected("read the logs of container \(id)", response) }
        return Self.demultiplex(response.body)
    }

    func kill(_ id: String, signal: String) {
        _ = try? send(HTTPRequest("POST", "\(base)/containers/\(id)/kill?signal=\(signal)", retryable: true))
    }

    func remove(_ id: String) {
        _ = try? send(HTTPRequest("DELETE", "\(base)/containers/\(id)?force=true&v=true"))
    }

    /// Docker's stream format without a TTY: frames of [stream, 0, 0, 0, size (big-endian u32)] + payload.
    /// Anything that does not parse as frames is taken as plain stdout.
    static func demultiplex(_ bytes: [UInt8]) -> (stdout: [UInt8], stderr: [UInt8]) {
        var out: [UInt8] = [], err: [UInt8] = []
        var i = 0
        while i + 8 <= bytes.count {
            let stream = bytes[i]
            let size = Int(bytes[i + 4]) << 24 | Int(bytes[i + 5]) << 16 | Int(bytes[i + 6]) << 8 | Int(bytes[i + 7])
            guard stream <= 2, bytes[i + 1] == 0, bytes[i + 2] == 0, bytes[i + 3] == 0, i + 8 + size <= bytes.count
            else {
                return (bytes, [])
            }
            if stream == 2 { err += bytes[(i + 8)..<(i + 8 + size)] } else { out += bytes[(i + 8)..<(i + 8 + size)] }
            i += 8 + size
        }
        return i == bytes.count ? (out, err) : (bytes, [])
    }

    private func send(_ request: HTTPRequest) throws(PluginError) -> HTTPResponse {
        do { return try client.send(request) } catch {
            // No socket at all is a setting to fix, not a hiccup to wait out; a socket that refuses may be a
            // service restarting.
            let socketExists = FileManager.default.fileExists(atPath: socket)
            throw .system(
                "cannot reach the container engine at \(socket) (\(error.message)); start it with "
                    + "`podman system service --time=0 unix://\(socket)` or set podman_socket in the plugin config",
                code: "EngineUnavailable", retryable: socketExists)
        }
    }

    private func unexpected(_ what: String, _ response: HTTPResponse) -> PluginError {
        .system(
            "the container engine could not \(what): HTTP \(response.status): \(Self.message(response))",
            code: "EngineAPI",
            retryable: response.status >= 500)
    }

    static func message(_ response: HTTPResponse) -> String {
        (try? JSONParser.parse(response.body))?["message"]?.stringValue ?? String(response.text.prefix(300))
    }
}
