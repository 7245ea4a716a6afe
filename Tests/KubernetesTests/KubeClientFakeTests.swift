import AloftHTTP
import AloftKubernetes
import AloftTestSupport
import AloftWire
import Foundation
import Synchronization
import Testing

/// The shared client against the FAKE API server: typed calls, and how each answer maps to a meaning.
@Suite(.timeLimit(.minutes(5))) struct KubeClientFakeTests {
    static func pod(_ name: String, labels: [String: String] = [:]) -> JSON {
        .object([
            "apiVersion": .string("v1"), "kind": .string("Pod"),
            "metadata": .object(["name": .string(name), "labels": .object(labels.mapValues(JSON.string))]),
            "spec": .object([
                "restartPolicy": .string("Never"),
                "containers": .array([.object(["name": .string("task"), "image": .string("busybox")])]),
            ]),
        ])
    }

    static let fastRetries = RetryPolicy(maxAttempts: 3, baseDelayMilliseconds: 10, maxDelayMilliseconds: 50)

    @Test func createGetListReplaceDeleteOnTheFake() throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let client = KubeClient(fake.connection(), retry: Self.fastRetries)
        guard case .created(let made) = try client.create(.pods, Self.pod("p1", labels: ["aloft.io/execution": "e1"]))
        else {
            Issue.record("not created")
            return
        }
        #expect(made["metadata"]?["uid"]?.stringValue != nil)
        // A create of the same name finds ours (409 AlreadyExists, then get).
        guard case .existing(let again) = try client.create(.pods, Self.pod("p1")) else {
            Issue.record("a second create did not answer the existing pod")
            return
        }
        #expect(again["metadata"]?["uid"] == made["metadata"]?["uid"])
        _ = try client.create(.pods, Self.pod("p2", labels: ["aloft.io/execution": "e2"]))
        let listed = try client.list(.pods, labelSelector: "aloft.io/execution=e1")
        #expect(listed.items.compactMap { $0["metadata"]?["name"]?.stringValue } == ["p1"])
        // A stale list resourceVersion is 410 Gone.
        try fake.control("POST", "/fake/compact")
        do {
            _ = try client.list(.pods, labelSelector: "", resourceVersion: listed.resourceVersion)
            Issue.record("a compacted resourceVersion was served")
        } catch { #expect(error.kind == .gone) }
        // A replace needs the current resourceVersion.
        var stale = try #require(try client.get(.pods, name: "p1"))
        let current = try client.replace(.pods, stale)
        #expect(current["metadata"]?["resourceVersion"] != stale["metadata"]?["resourceVersion"])
        do {
            _ = try client.replace(.pods, stale)
            Issue.record("a stale resourceVersion was accepted")
        } catch { #expect(error.kind == .conflict) }
        stale = current
        #expect(try client.delete(.pods, name: "p1"))
        #expect(try client.get(.pods, name: "p1") == nil)  // 404 on get: gone
        #expect(try client.delete(.pods, name: "p1") == false)
        #expect(
            try fake.requests().filter { $0.hasPrefix("POST") }
                == Array(repeating: "POST /api/v1/namespaces/default/pods", count: 3))
    }

    @Test func anInvalidObjectIsRefusedWithTheServersReason() throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let client = KubeClient(fake.connection(), retry: Self.fastRetries)
        do {
            _ = try client.create(.pods, Self.pod("Not_A_Name"))
            Issue.record("an invalid name was accepted")
        } catch {
            #expect(error.kind == .invalid)
            #expect(error.status == 422)
            #expect(
                error.message.hasPrefix(
                    "create Pod default/Not_A_Name: HTTP 422 Invalid: Pod \"Not_A_Name\" is invalid"))
        }
        var noImage = Self.pod("p")
        if case .object(var o) = noImage, case .object(var spec)? = o["spec"] {
            spec["containers"] = .array([.object(["name": .string("task")])])
            o["spec"] = .object(spec)
            noImage = .object(o)
        }
        do {
            _ = try client.create(.pods, noImage)
            Issue.record("a container without an image was accepted")
        } catch { #expect(error.message.contains("spec.containers[0].image: Required value")) }
    }

    @Test func aWrongTokenIsAClearErrorThatNeverShowsAToken() throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let lines = Mutex<[String]>([])
        let wrong = "wrong-token-\(UUID().uuidString)"
        let client = KubeClient(
            fake.connection(token: wrong), retry: Self.fastRetries, log: { line in lines.withLock { $0.append(line) } })
        do {
            _ = try client.get(.pods, name: "p")
            Issue.record("a wrong token was accepted")
        } catch {
            #expect(error.kind == .unauthorized)
            #expect(error.message.contains("the credentials from the fake's test were refused"))
            #expect(!error.message.contains(wrong))
        }
        let logged = lines.withLock { $0 }
        #expect(!logged.isEmpty)
        #expect(!logged.joined().contains(wrong))
        #expect(!logged.joined().contains(fake.token))
    }

    @Test func busyAnswersAreRetriedAndThenReportedAsUnavailable() throws {
        let fake = try FakeKubeAPI.start()
        defer { fake.stop() }
        let client = KubeClient(fake.connection(), retry: Self.fastRetries)
        try fake.control("POST", "/fake/fail", .object(["status": .integer(429), "count": .integer(2)]))
        #expect(try client.get(.pods, name: "p") == nil)  // the third attempt got through
        try fake.control("POST", "/fake/fail", .object(["status": .integer(503), "count": .integer(3)]))
        do {
            _ = try client.get(.pods, name: "p")
            Issue.record("three 503s were not an error")
        } catch {
            #expect(error.kind == .unavailable)
            #expect(error.retryable)
        }
        let unreachable = KubeClient(
            KubeConnection(server: "http://127.0.0.1:1", token: "t", origin: "test"), retry: .none)
        do {
            _ = try unreachable.get(.pods, name: "p")
            Issue.record("an unreachable server answered")
        } catch {
            #expect(error.kind == .unavailable)
            #expect(error.message.contains("cannot reach the Kubernetes API at http://127.0.0.1:1"))
        }
    }

    @Test func overHTTPSWithTheKubeconfigsCADataAndAClientCertificate() throws {
        let fake = try FakeKubeAPI.start(tls: true)
        defer { fake.stop() }
        let tls = try #require(fake.tls)
        func data(_ file: String) throws -> String {
            Base64.encode([UInt8](try #require(FileManager.default.contents(atPath: tls + "/" + file))))
        }
        let dir = try TemporaryDirectory("kubeconfig-tls")
        defer { dir.remove() }
        func kubeconfig(_ user: String, ca: Bool = true) throws -> String {
            let path = dir.path + "/config-\(UUID().uuidString)"
            try """
            current-context: fake
            clusters: [{name: fake, cluster: {server: "\(fake.server)"\(ca ? ", certificate-authority-data: \(try data("ca.crt"))" : "")}}]
            contexts: [{name: fake, context: {cluster: fake, user: u}}]
            users: [{name: u, user: {\(user)}}]
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        // No token: the client certificate (signed by the cluster's CA) is who we are.
        let certificate = KubeClient(
            try KubeConfigFile.load(
                path: try kubeconfig(
                    "client-certificate-data: \(try data("client.crt")), client-key-data: \(try data("client.key"))")),
            retry: .none)
        #expect(certificate.connection.server.hasPrefix("https://127.0.0.1:"))
        guard case .created = try certificate.create(.pods, Self.pod("over-tls")) else {
            Issue.record("not created")
            return
        }
        #expect(try certificate.get(.pods, name: "over-tls") != nil)
        // Neither a certificate nor a token: refused.
        let anonymous = KubeClient(try KubeConfigFile.load(path: try kubeconfig("username: nobody")), retry: .none)
        #expect(throws: KubeError.self) { try anonymous.get(.pods, name: "over-tls") }
        // Without the cluster's CA the server's certificate is not trusted: no answer at all.
        let untrusted = KubeClient(
            try KubeConfigFile.load(path: try kubeconfig("token: \(fake.token)", ca: false)), retry: .none)
        do {
            _ = try untrusted.get(.pods, name: "over-tls")
            Issue.record("a server signed by an unknown CA was trusted")
        } catch { #expect(error.kind == .unavailable) }
    }

    @Test func inClusterWithTheServiceAccountsTokenAndCA() throws {
        let fake = try FakeKubeAPI.start(tls: true)
        defer { fake.stop() }
        let root = try TemporaryDirectory("serviceaccount")
        defer { root.remove() }
        try fake.token.write(toFile: root.path + "/token", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: try #require(fake.tls) + "/ca.crt", toPath: root.path + "/ca.crt")
        try "default".write(toFile: root.path + "/namespace", atomically: true, encoding: .utf8)
        let connection = try InClusterConfig.load(
            root: root.path,
            environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "\(fake.port)"])
        let client = KubeClient(connection, retry: .none)
        _ = try client.create(.pods, Self.pod("in-cluster"))
        #expect(try client.list(.pods, labelSelector: "").items.count == 1)
    }
}
