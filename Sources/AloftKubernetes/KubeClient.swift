public import AloftHTTP
public import AloftWire

/// Typed calls on namespaced objects of a Kubernetes API server, on the shared libcurl client: create, get,
/// replace, delete and list by label selector, JSON in and out. 429 and 5xx answers are retried with backoff
/// by the client (a create too: its name is deterministic, so a repeat answers 409 and is taken as ours);
/// the bearer token travels only in the Authorization header, which the client never logs.
public final class KubeClient: Sendable {
    public let connection: KubeConnection
    private let http: HTTPClient

    public init(
        _ connection: KubeConnection, retry: RetryPolicy = RetryPolicy(), log: (@Sendable (String) -> Void)? = nil
    ) {
        self.connection = connection
        var configuration = HTTPClient.Configuration(retry: retry, log: log)
        configuration.connectTimeoutMilliseconds = 5_000
        configuration.requestTimeoutMilliseconds = 30_000
        configuration.caInfo = connection.caFile
        configuration.clientCertificate = connection.clientCertificate
        configuration.clientKey = connection.clientKey
        http = HTTPClient(configuration)
    }

    /// What a create found: the object it made, or the one already there under that name.
    public enum Created: Sendable {
        case created(JSON)
        case existing(JSON)

        public var object: JSON {
            switch self {
            case .created(let o), .existing(let o): return o
            }
        }
    }

    /// Creates the object (its `metadata.name` set by the caller). A 409 AlreadyExists means a create of ours
    /// got there before (a repeated submit, a retried request): the existing object is read and returned.
    public func create(_ resource: KubeResource, _ object: JSON, namespace: String? = nil) throws(KubeError) -> Created
    {
        let ns = namespace ?? connection.namespace
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        let response = try send(
            "POST", resource.path(namespace: ns), body: object, retryable: true,
            what: "create \(resource.kind) \(ns)/\(name)")
        switch response.status {
        case 200, 201, 202: return .created(try Self.json(response, "create \(resource.kind) \(ns)/\(name)"))
        case 409:
            guard let existing = try get(resource, name: name, namespace: ns) else {
                throw KubeError(
                    kind: .conflict, status: 409,
                    message: "create \(resource.kind) \(ns)/\(name): the server says it exists but it cannot be read")
            }
            return .existing(existing)
        default: throw error(response, "create \(resource.kind) \(ns)/\(name)")
        }
    }

    /// The object, or nil when there is none (404: never made, or deleted).
    public func get(_ resource: KubeResource, name: String, namespace: String? = nil) throws(KubeError) -> JSON? {
        let ns = namespace ?? connection.namespace
        let what = "get \(resource.kind) \(ns)/\(name)"
        let response = try send("GET", resource.path(namespace: ns, name: name), what: what)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw error(response, what) }
        return try Self.json(response, what)
    }

    /// Replaces the object; its `metadata.resourceVersion` must be the current one (else a `.conflict`).
    public func replace(_ resource: KubeResource, _ object: JSON, namespace: String? = nil) throws(KubeError) -> JSON {
        let ns = namespace ?? connection.namespace
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        let what = "update \(resource.kind) \(ns)/\(name)"
        let response = try send(
            "PUT", resource.path(namespace: ns, name: name), body: object, retryable: false, what: what)
        guard response.status == 200 else { throw error(response, what) }
        return try Self.json(response, what)
    }

    /// Deletes the object (its dependents in the background); false when it was already gone.
    @discardableResult
    public func delete(
        _ resource: KubeResource, name: String, namespace: String? = nil, gracePeriodSeconds: Int? = nil
    ) throws(KubeError) -> Bool {
        let ns = namespace ?? connection.namespace
        var options: [String: JSON] = [
            "apiVersion": .string("v1"), "kind": .string("DeleteOptions"),
            "propagationPolicy": .string("Background"),
        ]
        if let gracePeriodSeconds { options["gracePeriodSeconds"] = .integer(Int64(gracePeriodSeconds)) }
        let what = "delete \(resource.kind) \(ns)/\(name)"
        let response = try send(
            "DELETE", resource.path(namespace: ns, name: name), body: .object(options), retryable: true, what: what)
        if response.status == 404 { return false }
        guard (200..<300).contains(response.status) else { throw error(response, what) }
        return true
    }

    /// The objects whose labels match `labelSelector` (`k=v,k2=v2`), with the list's resourceVersion. A
    /// `resourceVersion` older than the server keeps answers 410 (`.gone`): list again without one.
    public func list(
        _ resource: KubeResource, labelSelector: String, namespace: String? = nil, resourceVersion: String? = nil
    ) throws(KubeError) -> (items: [JSON], resourceVersion: String) {
        let ns = namespace ?? connection.namespace
        var query = "labelSelector=" + Self.percentEncode(labelSelector)
        if let resourceVersion { query += "&resourceVersion=" + Self.percentEncode(resourceVersion) }
        let what = "list \(resource.plural) in \(ns) (\(labelSelector))"
        let response = try send("GET", resource.path(namespace: ns) + "?" + query, what: what)
        guard response.status == 200 else { throw error(response, what) }
        let list = try Self.json(response, what)
        return (list["items"]?.arrayValue ?? [], list["metadata"]?["resourceVersion"]?.stringValue ?? "")
    }

    /// The URL of an object (or of its subresource, e.g. `log`), for links.
    public func url(
        _ resource: KubeResource, name: String, namespace: String? = nil, subresource: String? = nil
    )
        -> String
    {
        connection.server + resource.path(namespace: namespace ?? connection.namespace, name: name)
            + (subresource.map { "/" + $0 } ?? "")
    }

    // MARK: - exchange

    private func send(
        _ method: String, _ path: String, body: JSON? = nil, retryable: Bool? = nil, what: String
    ) throws(KubeError) -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let token = connection.token { headers.append(("Authorization", "Bearer " + token)) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = HTTPRequest(
            method, connection.server + path, headers: headers, body: body.map { JSONWriter.encode($0) } ?? [],
            retryable: retryable)
        let response: HTTPResponse
        do { response = try http.send(request) } catch {
            throw KubeError(
                kind: .unavailable, status: 0,
                message: "\(what): cannot reach the Kubernetes API at \(connection.server): \(error.message)")
        }
        return response
    }

    private func error(_ response: HTTPResponse, _ what: String) -> KubeError {
        let kind = KubeError.kind(status: response.status)
        let status = (try? JSONParser.parse(response.body))
        let reason = status?["message"]?.stringValue ?? String(response.text.prefix(300))
        var message = "\(what): HTTP \(response.status)"
        if let r = status?["reason"]?.stringValue { message += " \(r)" }
        message += ": \(reason)"
        switch kind {
        case .unauthorized:
            message +=
                " (the credentials from \(connection.origin) were refused: a wrong or expired token or certificate)"
        case .forbidden:
            message +=
                " (the account from \(connection.origin) lacks a permission; docs/kubernetes.md lists the Role it needs)"
        default: break
        }
        return KubeError(kind: kind, status: response.status, message: message)
    }

    private static func json(_ response: HTTPResponse, _ what: String) throws(KubeError) -> JSON {
        do { return try JSONParser.parse(response.body) } catch {
            throw KubeError(
                kind: .other, status: response.status, message: "\(what): the answer is not JSON: \(error)")
        }
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || "-_.~".contains(c)) {
                out.append(c)
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
