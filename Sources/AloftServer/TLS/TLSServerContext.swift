import CLibSSL
import FoundationEssentials

/// The server's TLS settings loaded into one OpenSSL `SSL_CTX`: TLS 1.2 or newer, the certificate chain and
/// private key read from PEM files. Every connection's `SSL` is made from it (OpenSSL allows that from any
/// thread once the context is set up, hence `@unchecked Sendable`).
public final class TLSServerContext: @unchecked Sendable {
    let context: OpaquePointer

    /// Loads `certificate` (PEM, the server's certificate first, then any intermediates) and `key` (PEM);
    /// a missing, unreadable or mismatched file is a `ServerSettingsError` naming the file and the cause.
    public init(certificate: String, key: String) throws {
        for (option, path) in [("--tls-cert", certificate), ("--tls-key", key)] {
            guard FileManager.default.isReadableFile(atPath: path) else {
                let why = FileManager.default.fileExists(atPath: path) ? "is not readable" : "does not exist"
                throw ServerSettingsError("\(option) \(path): the file \(why)")
            }
        }
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw ServerSettingsError("TLS: OpenSSL could not make a context: \(Self.openSSLError())")
        }
        context = ctx
        guard aloft_ssl_ctx_set_min_tls12(ctx) == 1 else {
            throw ServerSettingsError("TLS: OpenSSL refused TLS 1.2 as the minimum: \(Self.openSSLError())")
        }
        ERR_clear_error()
        guard SSL_CTX_use_certificate_chain_file(ctx, certificate) == 1 else {
            throw ServerSettingsError(
                "--tls-cert \(certificate): not a PEM certificate OpenSSL can use: \(Self.openSSLError())")
        }
        // OpenSSL checks the key against the certificate as it loads it: a mismatch is reported as such.
        let keyLoaded = SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1
        guard keyLoaded || ERR_GET_REASON(ERR_peek_error()) == X509_R_KEY_VALUES_MISMATCH else {
            throw ServerSettingsError("--tls-key \(key): not a PEM private key OpenSSL can use: \(Self.openSSLError())")
        }
        guard keyLoaded, SSL_CTX_check_private_key(ctx) == 1 else {
            throw ServerSettingsError(
                "--tls-key \(key): the key does not match the certificate in \(certificate): \(Self.openSSLError())")
        }
    }

    deinit { SSL_CTX_free(context) }

    /// The oldest queued OpenSSL error as text (and the queue cleared); never contains key material.
    static func openSSLError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no OpenSSL error recorded" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
