import AloftWire

/// A Google service-account key file (the JSON a console download gives): who signs, with what, and where
/// the signed assertion is exchanged for an access token. The private key is held only as its signer; its
/// text never reaches an error message.
public struct ServiceAccountKey: Sendable {
    public let clientEmail: String
    public let privateKeyID: String?
    public let projectID: String?
    public let tokenURI: String
    public let signer: RSASigner

    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Reads the key file's bytes; `source` names where they came from (a secret, a path) for errors.
    public init(json bytes: [UInt8], source: String) throws(GoogleAuthError) {
        guard let doc = try? JSONParser.parse(bytes), doc.objectValue != nil else {
            throw GoogleAuthError("\(source) is not a service-account key: not a JSON object")
        }
        if let type = doc["type"]?.stringValue, type != "service_account" {
            throw GoogleAuthError("\(source) is a \"\(type)\" credential; only \"service_account\" keys are supported")
        }
        guard let email = doc["client_email"]?.stringValue, !email.isEmpty else {
            throw GoogleAuthError("\(source) has no \"client_email\"")
        }
        guard let pem = doc["private_key"]?.stringValue, !pem.isEmpty else {
            throw GoogleAuthError("\(source) has no \"private_key\"")
        }
        do { signer = try RSASigner(pem: pem) } catch {
            throw GoogleAuthError("\(source): \"private_key\" \(error.reason)")
        }
        clientEmail = email
        privateKeyID = doc["private_key_id"]?.stringValue
        projectID = doc["project_id"]?.stringValue
        tokenURI = doc["token_uri"]?.stringValue ?? Self.defaultTokenURI
    }
}

/// Why credentials could not be used. Messages name the key's source and its fields, never their values.
public struct GoogleAuthError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Trying again may help (the token endpoint was unreachable or failed).
    public let retryable: Bool

    public init(_ message: String, retryable: Bool = false) {
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}
