import AloftSystem
import FoundationEssentials
import Synchronization

/// Remembers every secret value the host handed out (in memory only) and blanks it out of text that
/// plugins send back: log lines, error messages, status lines. A second line of defence behind
/// "never log secrets".
public final class SecretRedactor: Sendable {
    public static let placeholder = "[REDACTED]"
    private let values = Mutex<Set<String>>([])

    public init() {}

    func remember(_ secret: [UInt8]) {
        // Very short values would blank out ordinary words; they are not worth the false positives.
        guard secret.count >= 4 else { return }
        let text = String(decoding: secret, as: UTF8.self)
        values.withLock { _ = $0.insert(text) }
    }

    public func redact(_ text: String) -> String {
        let known = values.withLock { $0 }
        guard !known.isEmpty else { return text }
        var out = text
        for secret in known where out.containsBytes(secret) {
            out = out.replacingBytes(of: secret, with: Self.placeholder)
        }
        return out
    }
}
