import AloftTestSupport
import Foundation

/// A service-account key made for the test run (`openssl genpkey`, never committed) and a token endpoint
/// (Fixtures/token_endpoint.py) that verifies the JWTs signed with it against its public half.
struct ServiceAccount {
    let directory: String
    let email: String
    let privateKeyPEM: String
    let publicKeyPath: String

    /// RSA 2048, fresh per call.
    static func make(email: String = "aloft-test@aloft-test.iam.gserviceaccount.com") throws -> ServiceAccount {
        let dir = NSTemporaryDirectory() + "aloft-sa-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let key = dir + "/key.pem", pub = dir + "/public.pem"
        guard quiet(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key]) == 0,
            quiet(["openssl", "pkey", "-in", key, "-pubout", "-out", pub]) == 0
        else { throw Failure(description: "openssl could not make a test key") }
        return ServiceAccount(
            directory: dir, email: email, privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8),
            publicKeyPath: pub)
    }

    /// The key file's JSON, as Google's console gives it.
    func keyJSON(tokenURI: String, project: String = "aloft-test", pem: String? = nil) throws -> String {
        let object: [String: Any] = [
            "type": "service_account", "project_id": project, "private_key_id": "0123456789abcdef",
            "private_key": pem ?? privateKeyPEM, "client_email": email, "client_id": "1234567890",
            "token_uri": tokenURI,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// The PEM body (the base64 lines), which must never show anywhere.
    var privateKeyBody: [String] {
        privateKeyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
    }

    /// The body lines as they are and as JSON writes them ("/" escaped), to grep for.
    var privateKeyTraces: [String] {
        privateKeyBody + privateKeyBody.map { $0.replacingOccurrences(of: "/", with: "\\/") }
    }

    struct TokenEndpoint {
        let process: Process
        let port: Int
        let journal: String
        var uri: String { "http://127.0.0.1:\(port)/token" }
        /// Tokens issued so far, in order.
        var issued: [String] { lines("issued ") }
        var refusals: [String] { lines("refused ") }

        private func lines(_ prefix: String) -> [String] {
            ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
    }

    /// A token endpoint that accepts JWTs signed with this key's private half only.
    func tokenEndpoint(expiresIn: Int = 3600) throws -> TokenEndpoint {
        let journal = directory + "/tokens-\(UUID()).journal"
        _ = FileManager.default.createFile(atPath: journal, contents: nil)
        let (p, port) = try PythonPeer.start(
            BigQueryFixtures.path("token_endpoint.py"), [publicKeyPath, email, journal, String(expiresIn)])
        return TokenEndpoint(process: p, port: port, journal: journal)
    }

    struct Failure: Error, CustomStringConvertible { let description: String }
}

/// Runs a command with its output discarded (openssl's key generation draws progress dots); its exit status.
@discardableResult
func quiet(_ args: [String]) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return 127 }
    p.waitUntilExit()
    return p.terminationStatus
}

enum BigQueryFixtures {
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Fixtures/" + name
        ).path
    }
}
