import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// `aloft serve --tls-cert --tls-key`: TLS terminated by OpenSSL in the server, checked with the real `curl`
/// against a CA and a server certificate for 127.0.0.1 made with the real `openssl` CLI.
@Suite(.timeLimit(.minutes(5))) struct ServerTLSTests {
    /// A CA and a server certificate for IP 127.0.0.1 signed by it, plus an unrelated key, in a new directory.
    static func makeCertificates() throws -> String {
        let dir = try TemporaryDirectory.make("aloft-tls")
        func openssl(_ args: [String]) throws {
            let r = try TestProcess.run("/usr/bin/openssl", args, cwd: dir)
            guard r.succeeded else { throw FixtureError("openssl \(args.joined(separator: " ")): \(r)") }
        }
        try openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=aloft-test-ca",
            "-keyout", "ca.key", "-out", "ca.crt",
        ])
        try openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out",
            "server.csr",
        ])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: dir + "/server.ext", atomically: true, encoding: .utf8)
        try openssl([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
            "-extfile", "server.ext", "-out", "server.crt",
        ])
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "other.key"])
        return dir
    }

    static func curl(_ args: [String]) throws -> TestProcess.Ended {
        try TestProcess.run("/usr/bin/curl", ["--silent", "--show-error", "--max-time", "60"] + args)
    }

    @Test func servesHTTPSThatCurlVerifiesAndRefusesPlaintext() throws {
        let certs = try Self.makeCertificates()
        let s = try ServerFixture(
            projects: ["ml"], tokens: ["v": (["ml"], "viewer")],
            serveArguments: ["--tls-cert", certs + "/server.crt", "--tls-key", certs + "/server.key"])
        defer { s.stop() }
        #expect(s.url.hasPrefix("https://127.0.0.1:"), "\(s.url)")
        let ca = ["--cacert", certs + "/ca.crt"]

        let health = try Self.curl(ca + [s.url + "/healthz"])
        #expect(health.succeeded, "\(health)\n\(s.serverLog)")
        #expect(health.stdout.contains(#""status":"ok""#), "\(health)")

        let secret = s.secrets["v"]!
        let projects = try Self.curl(ca + ["-H", "Authorization: Bearer \(secret)", s.url + "/api/v1/projects"])
        #expect(projects.succeeded, "\(projects)")
        let listed = try JSONParser.parse(Array(projects.stdout.utf8))
        #expect("\(listed)".contains("ml"), "\(projects.stdout)")

        // Several TLS records (16 KiB each at most): the OpenAPI document arrives whole and parses.
        let document = try Self.curl(ca + [s.url + "/api/openapi.json"])
        #expect(document.succeeded, "\(document.stderr)")
        #expect(document.stdout.utf8.count > 3 * 16384, "\(document.stdout.utf8.count) bytes")
        let parsed = try JSONParser.parse(Array(document.stdout.utf8))
        #expect(parsed["openapi"]?.stringValue != nil)

        // Two requests on one connection (curl reuses it), and a request body of several TLS records: the
        // launch of an unknown workflow is refused with the server's JSON error, so the whole body was read.
        let twice = try Self.curl(ca + [s.url + "/healthz", s.url + "/readyz", "--write-out", "%{num_connects}\n"])
        #expect(twice.succeeded, "\(twice)")
        #expect(twice.stdout.hasPrefix(#"{"status":"ok"}1"#) && twice.stdout.hasSuffix("}0\n"), "\(twice)")
        let padding = String(repeating: "x", count: 100_000)
        let body = #"{"project": "ml", "domain": "development", "name": "nope", "inputs": {"x": "\#(padding)"}}"#
        try body.write(toFile: certs + "/body.json", atomically: true, encoding: .utf8)
        let upload = try Self.curl(
            ca + [
                "-H", "Authorization: Bearer \(secret)", "-H", "Content-Type: application/json", "--data-binary",
                "@" + certs + "/body.json", "--write-out", "\n%{http_code}", s.url + "/api/v1/executions",
            ])
        #expect(upload.succeeded, "\(upload)")
        let status = Int(upload.stdout.split(separator: "\n").last ?? "") ?? 0
        #expect((400..<500).contains(status) && upload.stdout.contains(#""error""#), "\(upload.stdout.suffix(300))")

        // Without the CA curl cannot verify the certificate (exit 60) and gets nothing.
        let unverified = try Self.curl([s.url + "/healthz"])
        #expect(unverified.status == 60, "\(unverified)")
        #expect(unverified.stdout.isEmpty)

        // A plaintext request on the TLS port gets the connection closed, never an HTTP answer.
        let plain = "http://" + s.url.dropFirst("https://".count)
        let plaintext = try Self.curl(["--include", plain + "/healthz"])
        #expect(!plaintext.succeeded, "\(plaintext)")
        #expect(!plaintext.stdout.contains("HTTP/"), "\(plaintext)")

        // TLS 1.1 is refused.
        let old = try Self.curl(ca + ["--tlsv1.1", "--tls-max", "1.1", s.url + "/healthz"])
        #expect(!old.succeeded && old.stdout.isEmpty, "\(old)")

        // The server still answers after all that, and the token never reached its log.
        #expect(try Self.curl(ca + [s.url + "/healthz"]).succeeded)
        #expect(!s.serverLog.contains(secret))
    }

    @Test func aBadCertificateOrKeyIsOneClearErrorNamingTheFile() throws {
        let certs = try Self.makeCertificates()
        let cert = certs + "/server.crt"
        let cases: [([String], String)] = [
            (
                ["--tls-cert", cert, "--tls-key", certs + "/other.key"],
                "--tls-key \(certs)/other.key: the key does not match"
            ),
            (
                ["--tls-cert", cert, "--tls-key", certs + "/missing.key"],
                "--tls-key \(certs)/missing.key: the file does not exist"
            ),
            (
                ["--tls-cert", certs + "/server.csr", "--tls-key", certs + "/server.key"],
                "--tls-cert \(certs)/server.csr: not a PEM certificate"
            ),
            (["--tls-cert", cert], "--tls-cert and --tls-key go together"),
        ]
        for (args, message) in cases {
            let r = try TestProcess.run(
                ServerFixture.aloft, ["serve", "--address", "127.0.0.1:0"] + args, cwd: certs,
                environment: ["HOME": certs, "PATH": "/usr/bin:/bin"])
            #expect(r.status != 0 && !r.signalled, "\(args): \(r)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("listening"), "\(args): \(r.stdout)")
        }
    }
}
