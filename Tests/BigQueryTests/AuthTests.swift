import AloftGoogle
import AloftHTTP
import AloftTestSupport
import Foundation
import Synchronization
import Testing

/// Service-account auth against a token endpoint started here that verifies each JWT's RS256 signature with
/// the test key's public half, its claims and its expiry.
@Suite(.timeLimit(.minutes(5))) struct AuthTests {
    static func source(
        _ account: ServiceAccount, _ endpoint: ServiceAccount.TokenEndpoint, keyOf signer: ServiceAccount? = nil,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws -> AccessTokenSource {
        let json = try (signer ?? account).keyJSON(tokenURI: endpoint.uri)
        let key = try ServiceAccountKey(json: Array(json.utf8), source: "the test key")
        return AccessTokenSource(key: key, http: HTTPClient(), now: now)
    }

    @Test func aJWTSignedWithTheKeyIsExchangedForATokenThatIsCached() throws {
        let account = try ServiceAccount.make()
        let endpoint = try account.tokenEndpoint()
        defer { endpoint.process.terminate() }
        let auth = try Self.source(account, endpoint)
        let first = try auth.token()
        #expect(first.hasPrefix("ya29.test-"))
        #expect(try auth.token() == first)
        #expect(auth.fetches == 1 && endpoint.issued == [first] && endpoint.refusals.isEmpty)
    }

    @Test func aJWTSignedWithAnotherKeyIsRefused() throws {
        let account = try ServiceAccount.make()
        let impostor = try ServiceAccount.make(email: account.email)
        let endpoint = try account.tokenEndpoint()
        defer { endpoint.process.terminate() }
        let auth = try Self.source(account, endpoint, keyOf: impostor)
        #expect {
            _ = try auth.token()
        } throws: { error in
            guard let e = error as? GoogleAuthError else { return false }
            return !e.retryable
                && e.message == "the token endpoint \(endpoint.uri) for \(account.email) refused the service account: "
                    + "invalid_grant: Invalid JWT Signature. (HTTP 400)"
        }
        #expect(endpoint.refusals == ["Invalid JWT Signature."])
    }

    @Test func anExpiredAssertionIsRefused() throws {
        let account = try ServiceAccount.make()
        let endpoint = try account.tokenEndpoint()
        defer { endpoint.process.terminate() }
        // Signed as if two hours ago: its exp has passed.
        let auth = try Self.source(account, endpoint, now: { Int64(Date().timeIntervalSince1970) - 7200 })
        #expect(throws: GoogleAuthError.self) { _ = try auth.token() }
        #expect(
            endpoint.refusals.first?.hasPrefix("Invalid JWT: Token must be a short-lived token") == true,
            "\(endpoint.refusals)")
    }

    @Test func aTokenIsRefreshedShortlyBeforeItExpires() throws {
        let account = try ServiceAccount.make()
        let endpoint = try account.tokenEndpoint(expiresIn: 600)  // refreshed after 300 s
        defer { endpoint.process.terminate() }
        let clock = Mutex<Int64>(Int64(Date().timeIntervalSince1970) - 400)
        let auth = try Self.source(account, endpoint, now: { clock.withLock { $0 } })
        let first = try auth.token()
        clock.withLock { $0 += 299 }
        #expect(try auth.token() == first)
        clock.withLock { $0 += 2 }
        let second = try auth.token()
        #expect(second != first && auth.fetches == 2)
        // A 401 drops exactly the refused token.
        auth.invalidate(first)
        #expect(try auth.token() == second)
        auth.invalidate(second)
        #expect(try auth.token() != second && auth.fetches == 3)
    }

    @Test func aSignatureVerifiesWithOpenSSL() throws {
        let account = try ServiceAccount.make()
        let signer = try RSASigner(pem: account.privateKeyPEM)
        #expect(signer.bits == 2048)
        let message = Array("header.claims".utf8)
        let signature = try #require(signer.sign(message))
        let dir = account.directory
        try Data(message).write(to: URL(fileURLWithPath: dir + "/m"))
        try Data(signature).write(to: URL(fileURLWithPath: dir + "/s"))
        #expect(
            quiet([
                "openssl", "dgst", "-sha256", "-verify", account.publicKeyPath, "-signature", dir + "/s", dir + "/m",
            ]) == 0)
        try Data(Array("header.claimz".utf8)).write(to: URL(fileURLWithPath: dir + "/m"))
        #expect(
            quiet([
                "openssl", "dgst", "-sha256", "-verify", account.publicKeyPath, "-signature", dir + "/s", dir + "/m",
            ]) != 0)
    }

    @Test func malformedKeysAreClearErrorsNamingTheFieldNeverItsValue() throws {
        let account = try ServiceAccount.make()
        func error(_ json: String) -> String? {
            do {
                _ = try ServiceAccountKey(json: Array(json.utf8), source: "key.json")
                return nil
            } catch { return error.message }
        }
        #expect(error("[1]") == "key.json is not a service-account key: not a JSON object")
        #expect(
            error(#"{"type": "authorized_user"}"#)
                == "key.json is a \"authorized_user\" credential; only \"service_account\" keys are supported")
        #expect(error(#"{"type": "service_account", "private_key": "x"}"#) == "key.json has no \"client_email\"")
        #expect(
            error(#"{"client_email": "a@b", "private_key": "not a pem"}"#)
                == "key.json: \"private_key\" is not a PEM private key (no BEGIN/END PRIVATE KEY lines)")
        // An EC key is not RS256's.
        let ec = account.directory + "/ec.pem"
        #expect(
            quiet(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec]) == 0)
        let ecPEM = try String(contentsOfFile: ec, encoding: .utf8)
        let ecJSON = String(
            decoding: try JSONSerialization.data(withJSONObject: ["client_email": "a@b", "private_key": ecPEM]),
            as: UTF8.self)
        #expect(error(ecJSON) == "key.json: \"private_key\" is not an RSA key (RS256 needs one)")
    }
}
