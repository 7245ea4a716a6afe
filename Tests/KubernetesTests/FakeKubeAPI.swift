import AloftHTTP
import AloftKubernetes
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// The FAKE Kubernetes API server (Tests/Peers/fake-kube-apiserver.py) for one test: no real kube-apiserver
/// can run on these machines. It enforces the API's rules and moves objects through phases when told (or by
/// itself with `auto`); with `kubelet` it runs a created pod's command as a local process.
struct FakeKubeAPI {
    let process: Process
    let port: Int
    let token: String
    /// With TLS: the directory holding the fake's ca.crt, client.crt and client.key.
    let tls: String?
    private let http: HTTPClient

    init(process: Process, port: Int, token: String, tls: String?) {
        self.process = process
        self.port = port
        self.token = token
        self.tls = tls
        var configuration = HTTPClient.Configuration(retry: .none)
        configuration.caInfo = tls.map { $0 + "/ca.crt" }
        http = HTTPClient(configuration)
    }

    var server: String { "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)" }

    static let script = Fixtures.repoRoot.appendingPathComponent("Tests/Peers/fake-kube-apiserver.py").path

    /// `tls`: HTTPS with a CA and a client certificate the fake makes (openssl) in a new directory.
    static func start(auto: Bool = false, kubelet: Bool = false, tls: Bool = false) throws -> FakeKubeAPI {
        let token = "fake-token-\(UUID().uuidString)"
        var arguments = ["--token", token]
        if auto { arguments.append("--auto") }
        if kubelet { arguments.append("--kubelet") }
        let certificates = tls ? try TemporaryDirectory.make("fake-kube-tls") : nil
        if let certificates { arguments += ["--tls", certificates] }
        let (process, port) = try PythonPeer.start(script, arguments)
        return FakeKubeAPI(process: process, port: port, token: token, tls: certificates)
    }

    /// SIGTERM (the fake then kills what its kubelet runs), SIGKILL if it is still there after 10 s.
    func stop() {
        process.terminate()
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// A connection to the fake with its token (or another).
    func connection(token: String? = nil, namespace: String = "default") -> KubeConnection {
        KubeConnection(server: server, namespace: namespace, token: token ?? self.token, origin: "the fake's test")
    }

    /// A kubeconfig file naming the fake (plain HTTP), for plugin configs and the CLI.
    func kubeconfig(in dir: String, token: String? = nil) throws -> String {
        let path = dir + "/kubeconfig"
        try """
        apiVersion: v1
        kind: Config
        current-context: fake
        clusters: [{name: fake, cluster: {server: "\(server)"}}]
        contexts: [{name: fake, context: {cluster: fake, user: u, namespace: default}}]
        users: [{name: u, user: {token: "\(token ?? self.token)"}}]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @discardableResult
    func control(_ method: String, _ path: String, _ body: JSON? = nil) throws -> JSON {
        let response = try http.send(
            HTTPRequest(
                method, server + path, headers: [("Content-Type", "application/json")],
                body: body.map { JSONWriter.encode($0) } ?? []))
        guard response.status == 200 else { throw FixtureError("fake \(path): \(response.status) \(response.text)") }
        return try JSONParser.parse(response.body)
    }

    func drive(_ resource: String, _ name: String, status: JSON, namespace: String = "default") throws {
        try control(
            "POST", "/fake/drive",
            .object([
                "resource": .string(resource), "namespace": .string(namespace), "name": .string(name),
                "status": status,
            ]))
    }

    /// Every API request so far, as "METHOD PATH".
    func requests() throws -> [String] {
        (try control("GET", "/fake/requests").arrayValue ?? []).map {
            "\($0["method"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "")"
        }
    }

    func objects() throws -> [JSON] { try control("GET", "/fake/objects").arrayValue ?? [] }

    /// The first object of `kind` to appear, waiting for it (a hang guard, not a timing check).
    func waitForObject(kind: String, seconds: Int = 120) async throws -> JSON {
        for _ in 0..<(seconds * 20) {
            if let o = try objects().first(where: { $0["kind"]?.stringValue == kind }) { return o }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FixtureError("no \(kind) was created")
    }

    /// Waits until the object is gone (deleted).
    func waitForDeletion(kind: String, seconds: Int = 120) async throws -> Bool {
        for _ in 0..<(seconds * 20) {
            if try objects().first(where: { $0["kind"]?.stringValue == kind }) == nil { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
