import AloftHTTP
import AloftTestSupport
import Foundation
import Synchronization
import Testing

/// The shared HTTP client against a real HTTP server (Python's http.server, over TCP and a unix socket).
@Suite(.timeLimit(.minutes(5))) struct HTTPClientTests {
    struct Peer: Sendable {
        let port: Int
        let socket: String
        var base: String { "http://127.0.0.1:\(port)" }
    }

    /// One server per test process, stopped when the process exits.
    static let peer: Peer = {
        let dir = NSTemporaryDirectory() + "aloft-http-\(getpid())"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/http_peer.py"
        ).path
        let (p, port) = try! PythonPeer.start(script, [dir + "/peer.sock"])
        peerPID = p.processIdentifier
        atexit { kill(HTTPClientTests.peerPID, SIGTERM) }
        return Peer(port: port, socket: dir + "/peer.sock")
    }()
    nonisolated(unsafe) static var peerPID: Int32 = 0

    static func fastRetries(log: (@Sendable (String) -> Void)? = nil, socket: String? = nil) -> HTTPClient {
        HTTPClient(
            .init(
                unixSocketPath: socket,
                retry: RetryPolicy(maxAttempts: 4, baseDelayMilliseconds: 5, maxDelayMilliseconds: 20), log: log))
    }

    @Test func sendsMethodHeadersAndBodyAndReadsTheAnswer() throws {
        let client = Self.fastRetries()
        let body = Array("{\"a\": 1, \"zero\": \"\u{0}\"}".utf8)
        let r = try client.send(
            HTTPRequest(
                "PUT", Self.peer.base + "/echo?x=1",
                headers: [("Content-Type", "application/json"), ("X-Test", "yes")], body: body))
        #expect(r.status == 200)
        #expect(r.header("content-type") == "application/json")
        let echo = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
        #expect(echo["method"] as? String == "PUT")
        #expect(echo["path"] as? String == "/echo?x=1")
        #expect(echo["body"] as? String == String(decoding: body, as: UTF8.self))
        let headers = echo["headers"] as! [String: String]
        #expect(headers["x-test"] == "yes")
        #expect(headers["expect"] == nil)  // no 100-continue round trip
    }

    @Test func postWithoutABodyAndWithoutAContentTypeSendsNeither() throws {
        let r = try Self.fastRetries().send(HTTPRequest("POST", Self.peer.base + "/echo"))
        let echo = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
        let headers = echo["headers"] as! [String: String]
        #expect(echo["method"] as? String == "POST")
        #expect(headers["content-type"] == nil)
        #expect(headers["content-length"] == "0")
    }

    @Test func retries5xxWithBackoffThenSucceeds() throws {
        let key = UUID().uuidString
        let lines = Mutex<[String]>([])
        let client = Self.fastRetries(log: { line in lines.withLock { $0.append(line) } })
        let r = try client.send(HTTPRequest("GET", Self.peer.base + "/flaky?key=\(key)&fail=2"))
        #expect(r.status == 200)
        #expect(r.text == "ok after 3")
        #expect(lines.withLock { $0.count } == 3)
    }

    @Test func givesUpAfterMaxAttemptsAndReturnsTheLastAnswer() throws {
        let key = UUID().uuidString
        let r = try Self.fastRetries().send(HTTPRequest("GET", Self.peer.base + "/flaky?key=\(key)&fail=10"))
        #expect(r.status == 503)
        let after = try Self.fastRetries().send(HTTPRequest("GET", Self.peer.base + "/flaky?key=\(key)&fail=10"))
        #expect(after.status == 503)  // 4 + 4 = 8 of 10 failures used
    }

    @Test func aPostIsNotRetriedUnlessTheCallerSaysItIsIdempotent() throws {
        let key = UUID().uuidString
        let once = try Self.fastRetries().send(HTTPRequest("POST", Self.peer.base + "/flaky?key=\(key)&fail=1"))
        #expect(once.status == 503)
        let key2 = UUID().uuidString
        let retried = try Self.fastRetries().send(
            HTTPRequest("POST", Self.peer.base + "/flaky?key=\(key2)&fail=1", retryable: true))
        #expect(retried.status == 200)
    }

    @Test func throttlingHonoursRetryAfter() throws {
        let r = try Self.fastRetries().send(HTTPRequest("GET", Self.peer.base + "/throttle?key=\(UUID().uuidString)"))
        #expect(r.status == 200)
    }

    @Test func clientErrorsAreAnswersNotRetries() throws {
        let lines = Mutex<[String]>([])
        let r = try Self.fastRetries(log: { line in lines.withLock { $0.append(line) } }).send(
            HTTPRequest("GET", Self.peer.base + "/status?code=404"))
        #expect(r.status == 404)
        #expect(lines.withLock { $0.count } == 1)
    }

    @Test func speaksOverAUnixSocket() throws {
        let client = Self.fastRetries(socket: Self.peer.socket)
        let r = try client.send(HTTPRequest("GET", "http://d/echo"))
        #expect(r.status == 200)
        #expect((try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any])["path"] as? String == "/echo")
    }

    @Test func aRefusedConnectionIsATransportErrorAfterRetries() throws {
        // A port nothing listens on: bind one, note it, close it.
        let client = Self.fastRetries()
        #expect {
            try client.send(HTTPRequest("GET", "http://127.0.0.1:1/echo"))
        } throws: { error in
            guard let e = error as? HTTPTransportError else { return false }
            return e.code == 7 && e.attempts == 4 && e.description.hasPrefix("GET http://127.0.0.1:1/echo: ")
        }
    }

    @Test func aRequestPastItsTimeLimitFails() throws {
        var request = HTTPRequest("GET", Self.peer.base + "/slow?ms=2000", retryable: false)
        request.timeoutMilliseconds = 200
        #expect(throws: HTTPTransportError.self) { try Self.fastRetries().send(request) }
    }

    @Test func connectionsAreReused() throws {
        // Every answer names the client's TCP port: one port means one kept-alive connection.
        let client = Self.fastRetries()
        var ports = Set<Int>()
        for _ in 0..<20 {
            let r = try client.send(HTTPRequest("GET", Self.peer.base + "/echo"))
            ports.insert(
                (try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any])["client_port"] as! Int)
        }
        #expect(ports.count == 1)
    }

    /// TLS through libcurl's OpenSSL: a server with a self-signed certificate is trusted with its CA file
    /// and refused without it (a permanent error: retrying cannot fix a certificate).
    @Test func tlsVerifiesTheServerCertificate() throws {
        let dir = NSTemporaryDirectory() + "aloft-tls-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
        ]
        openssl.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a certificate")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/http_peer.py"
        ).path
        let (peer, port) = try PythonPeer.start(script, [dir + "/peer.sock", dir + "/cert.pem", dir + "/key.pem"])
        defer { peer.terminate() }
        var trusted = HTTPClient.Configuration(retry: .none)
        trusted.caInfo = dir + "/cert.pem"
        let r = try HTTPClient(trusted).send(HTTPRequest("GET", "https://127.0.0.1:\(port)/echo"))
        #expect(r.status == 200)
        #expect {
            try HTTPClient(.init(retry: RetryPolicy(maxAttempts: 3, baseDelayMilliseconds: 5))).send(
                HTTPRequest("GET", "https://127.0.0.1:\(port)/echo"))
        } throws: { error in
            guard let e = error as? HTTPTransportError else { return false }
            return e.code == 60 && !e.isTransient && e.attempts == 1
        }
    }

    @Test func logLinesRedactCredentials() throws {
        let lines = Mutex<[String]>([])
        let client = Self.fastRetries(log: { line in lines.withLock { $0.append(line) } })
        _ = try client.send(
            HTTPRequest(
                "GET", Self.peer.base + "/echo?X-Amz-Signature=abc123&keep=1&X-Amz-Security-Token=tok",
                headers: [("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/..., Signature=deadbeef")]))
        let line = try #require(lines.withLock { $0.first })
        #expect(line.contains("X-Amz-Signature=<redacted>&keep=1&X-Amz-Security-Token=<redacted>"))
        #expect(!line.contains("abc123") && !line.contains("tok") && !line.contains("deadbeef"))
        #expect(Redaction.headers([("Authorization", "secret"), ("Host", "h")]).map(\.value) == ["<redacted>", "h"])
    }
}
