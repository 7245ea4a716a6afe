#if canImport(Glibc)
import Glibc
#endif

/// An access key, its secret and an optional session token. The secret is bytes, never printed: the
/// description shows the key id only.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: [UInt8]
    public let sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: [UInt8], sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String { "AWS credentials for access key id \(accessKeyID)" }

    /// Where credentials come from, in order: a lookup of named secrets (the plugin host's secret store:
    /// `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`), then the standard variables
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN. nil when neither has a complete key.
    public static func resolve(
        secret lookup: (String) -> [UInt8]?, environment: [String: String]
    ) -> (AWSCredentials, source: String)? {
        if let id = lookup("aws_access_key_id"), let secret = lookup("aws_secret_access_key"), !id.isEmpty,
            !secret.isEmpty
        {
            let token = lookup("aws_session_token").map { String(decoding: $0, as: UTF8.self) }
            return (
                AWSCredentials(
                    accessKeyID: trimmed(id), secretAccessKey: Array(trimmed(secret).utf8),
                    sessionToken: token.map(trimmed)),
                "the host's secrets"
            )
        }
        if let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !id.isEmpty,
            !secret.isEmpty
        {
            return (
                AWSCredentials(
                    accessKeyID: id, secretAccessKey: Array(secret.utf8), sessionToken: environment["AWS_SESSION_TOKEN"]
                ),
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
            )
        }
        return nil
    }

    private static func trimmed(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n\r\t")
    }

    private static func trimmed(_ s: String) -> String { s.trimmingCharacters(in: " \n\r\t") }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
