import AloftWire

/// The signed assertion a service account trades for an access token (RFC 7523, Google's OAuth 2.0 for
/// server-to-server applications): header {alg: RS256, typ: JWT, kid}, claims {iss, scope, aud, iat, exp}.
public enum JWT {
    public static let lifetimeSeconds: Int64 = 3600

    public static func assertion(
        key: ServiceAccountKey, scope: String, audience: String, now: Int64
    ) throws(GoogleAuthError) -> String {
        var header: [String: JSON] = ["alg": .string("RS256"), "typ": .string("JWT")]
        if let kid = key.privateKeyID { header["kid"] = .string(kid) }
        let claims: [String: JSON] = [
            "iss": .string(key.clientEmail), "scope": .string(scope), "aud": .string(audience),
            "iat": .integer(now), "exp": .integer(now + lifetimeSeconds),
        ]
        let signingInput =
            base64URL(JSONWriter.encode(.object(header))) + "." + base64URL(JSONWriter.encode(.object(claims)))
        guard let signature = key.signer.sign(Array(signingInput.utf8)) else {
            throw GoogleAuthError("OpenSSL could not sign the token request for \(key.clientEmail)")
        }
        return signingInput + "." + base64URL(signature)
    }

    /// Base64url without padding (RFC 7515 §2).
    public static func base64URL(_ bytes: [UInt8]) -> String {
        var out = ""
        out.reserveCapacity(bytes.count * 4 / 3 + 2)
        for c in Base64.encode(bytes) {
            switch c {
            case "+": out.append("-")
            case "/": out.append("_")
            case "=": continue
            default: out.append(c)
            }
        }
        return out
    }
}
