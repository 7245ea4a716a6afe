import AloftWire
import COpenSSL

/// RSASSA-PKCS1-v1_5 with SHA-256 (JWT's RS256) on OpenSSL, from a PKCS#8 PEM private key as
/// service-account keys carry it ("-----BEGIN PRIVATE KEY-----"; PKCS#1 "RSA PRIVATE KEY" also works).
public final class RSASigner: @unchecked Sendable {
    // The key is never changed after init; OpenSSL allows concurrent signing with one EVP_PKEY, each call
    // with its own digest context.
    private let key: OpaquePointer

    public struct KeyError: Error, Sendable { public let reason: String }

    public init(pem: String) throws(KeyError) {
        var der = try Self.der(fromPEM: pem)
        defer { for i in der.indices { der[i] = 0 } }  // the key's bytes do not outlive this call
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_AutoPrivateKey(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw KeyError(reason: "is not a private key OpenSSL can read") }
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_RSA else {
            EVP_PKEY_free(parsed)
            throw KeyError(reason: "is not an RSA key (RS256 needs one)")
        }
        key = parsed
    }

    deinit { EVP_PKEY_free(key) }

    public var bits: Int { Int(EVP_PKEY_get_bits(key)) }

    /// The RS256 signature of `message`.
    public func sign(_ message: [UInt8]) -> [UInt8]? {
        guard let ctx = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, key) == 1 else { return nil }
        var length = 0
        let sized = message.withUnsafeBufferPointer { EVP_DigestSign(ctx, nil, &length, $0.baseAddress, $0.count) }
        guard sized == 1 else { return nil }
        var signature = [UInt8](repeating: 0, count: length)
        let ok = message.withUnsafeBufferPointer { m in
            signature.withUnsafeMutableBufferPointer {
                EVP_DigestSign(ctx, $0.baseAddress, &length, m.baseAddress, m.count)
            }
        }
        return ok == 1 ? Array(signature.prefix(length)) : nil
    }

    /// The base64 body between the PEM armour lines, decoded.
    static func der(fromPEM pem: String) throws(KeyError) -> [UInt8] {
        let lines = pem.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.trimmingSpaces() }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("PRIVATE KEY-----") }),
            let end = lines[begin...].firstIndex(where: { $0.hasPrefix("-----END ") })
        else { throw KeyError(reason: "is not a PEM private key (no BEGIN/END PRIVATE KEY lines)") }
        guard let der = Base64.decode(lines[(begin + 1)..<end].joined()), !der.isEmpty else {
            throw KeyError(reason: "has a PEM body that is not base64")
        }
        return der
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
