public import AloftHTTP
import AloftWire
import FoundationEssentials

/// What an AWS API said when it refused, or why it could not be reached; classified for retry decisions.
/// Messages name the access key id when credentials are at fault, never the secret.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request was wrong (validation, a missing resource, a conflict): retrying will not help.
        case client
        /// The key id is unknown, the signature did not match, the token expired: fix the credentials.
        case credentials
        /// Throttled: try again later.
        case throttled
        /// The service failed (5xx): try again later.
        case server
        /// No answer at all (connection, timeout).
        case transport
    }

    public let kind: Kind
    public let status: Int
    /// The service's error code, e.g. ValidationException, SignatureDoesNotMatch (see ``Code``).
    public let code: Code
    public let message: String
    /// What was being done, e.g. "SageMaker CreateTrainingJob" (no secrets).
    public let operation: String

    public var retryable: Bool { kind == .throttled || kind == .server || kind == .transport }

    public var description: String {
        "\(operation): " + (code.isEmpty ? "" : "\(code): ") + message + (status > 0 ? " (HTTP \(status))" : "")
    }

    public init(kind: Kind, status: Int, code: Code, message: String, operation: String) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
        self.operation = operation
    }

    /// Reads an error answer: the `x-amzn-ErrorType` header, a JSON body (`__type`, `message`/`Message`),
    /// or an XML body (`<Code>`, `<Message>`), whichever is there.
    public init(response: HTTPResponse, operation: String, credentials: AWSCredentials?) {
        var code = ""
        var message = ""
        if let json = try? JSONParser.parse(response.body) {
            code = json["__type"]?.stringValue ?? json["code"]?.stringValue ?? json["Code"]?.stringValue ?? ""
            message = json["message"]?.stringValue ?? json["Message"]?.stringValue ?? ""
        } else {
            code = XMLText.first("Code", in: response.text) ?? ""
            message = XMLText.first("Message", in: response.text) ?? ""
        }
        if let header = response.header("x-amzn-ErrorType"), !header.isEmpty { code = header }
        // "namespace#Code:uri" -> "Code"
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if message.isEmpty {
            switch response.status {
            case 404: message = "not found"
            // A HEAD answer has no body to say why.
            case 403 where response.body.isEmpty:
                message = "forbidden: wrong credentials or no permission (the answer has no body)"
            default: message = String(response.text.prefix(200))
            }
        }
        if code.isEmpty && response.status == 403 { code = Code.forbidden.rawValue }

        let kind: Kind
        if Code.credentials.contains(Code(rawValue: code)) {
            kind = .credentials
            if let credentials {
                message = "AWS refused the credentials for access key id \(credentials.accessKeyID): \(message)"
            }
        } else if Code.throttling.contains(Code(rawValue: code)) || response.status == 429 {
            kind = .throttled
        } else if response.status >= 500 {
            kind = .server
        } else {
            kind = .client
        }
        self.init(
            kind: kind, status: response.status, code: Code(rawValue: code), message: message, operation: operation)
    }

    public init(transport: HTTPTransportError, operation: String) {
        self.init(kind: .transport, status: 0, code: .none, message: transport.message, operation: operation)
    }
}

/// Just enough XML for AWS answers: the text of elements by name (S3 listings and errors).
public enum XMLText {
    public static func first(_ name: String, in xml: String) -> String? { all(name, in: xml).first }

    public static func all(_ name: String, in xml: String) -> [String] {
        var out: [String] = []
        var rest = Substring(xml)
        let open = "<\(name)>", close = "</\(name)>"
        while let start = rest.firstRange(of: open), let end = rest[start.upperBound...].firstRange(of: close) {
            out.append(unescape(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    static func unescape(_ s: Substring) -> String {
        guard s.contains("&") else { return String(s) }
        return String(s).replacing("&lt;", with: "<").replacing("&gt;", with: ">")
            .replacing("&quot;", with: "\"").replacing("&apos;", with: "'")
            .replacing("&amp;", with: "&")
    }
}
