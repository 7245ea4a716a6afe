public import AloftHTTP
public import AloftWire

/// Calls an AWS service that speaks the JSON 1.1 protocol (SageMaker and most others): `POST /` with
/// `X-Amz-Target: <prefix>.<Operation>` and a JSON body, signed with SigV4.
public final class AWSJSONClient: Sendable {
    public let endpoint: String
    public let signer: SigV4Signer
    public let targetPrefix: String
    public let serviceName: String
    private let credentials: AWSCredentials
    private let http: HTTPClient

    /// `endpoint` nil means AWS's own: `https://<endpointPrefix>.<region>.amazonaws.com`.
    public init(service: AWSService, region: String, endpoint: String?, credentials: AWSCredentials, http: HTTPClient) {
        self.endpoint = (endpoint ?? "https://\(service.endpointPrefix).\(region).amazonaws.com")
            .trimmingTrailingSlashes()
        signer = SigV4Signer(region: region, service: service.signingName)
        targetPrefix = service.targetPrefix
        serviceName = service.name
        self.credentials = credentials
        self.http = http
    }

    public func call(_ operation: String, _ body: JSON) throws(AWSError) -> JSON {
        let what = "\(serviceName) \(operation)"
        var request = HTTPRequest(
            "POST", endpoint + "/",
            headers: [
                ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "\(targetPrefix).\(operation)"),
            ], body: JSONWriter.encode(body), retryable: true)
        signer.sign(&request, credentials: credentials)
        let response: HTTPResponse
        do { response = try http.send(request) } catch { throw AWSError(transport: error, operation: what) }
        guard response.isSuccess else { throw AWSError(response: response, operation: what, credentials: credentials) }
        if response.body.isEmpty { return .object([:]) }
        do { return try JSONParser.parse(response.body) } catch {
            throw AWSError(
                kind: .server, status: response.status, code: .badResponse,
                message: "the answer is not JSON: \(response.text.prefix(200))", operation: what)
        }
    }
}

/// What identifies a JSON 1.1 service.
public struct AWSService: Sendable {
    public let name: String
    public let endpointPrefix: String
    public let signingName: String
    public let targetPrefix: String

    public static let sageMaker = AWSService(
        name: "SageMaker", endpointPrefix: "api.sagemaker", signingName: "sagemaker", targetPrefix: "SageMaker")
}

extension String {
    func trimmingTrailingSlashes() -> String {
        var s = self
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}
