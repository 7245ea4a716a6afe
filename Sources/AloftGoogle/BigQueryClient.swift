public import AloftHTTP
public import AloftWire

/// The BigQuery REST API v2 calls a query job needs, over the shared libcurl client: jobs.insert, jobs.get,
/// jobs.cancel, jobs.getQueryResults and tables.get. Each request carries a bearer token from `auth` (nil
/// for emulators that take none); a 401 drops the token and the call is sent once more with a fresh one.
public final class BigQueryClient: Sendable {
    public static let defaultEndpoint = "https://bigquery.googleapis.com"

    public let endpoint: String
    public let auth: AccessTokenSource?
    private let http: HTTPClient

    public init(endpoint: String? = nil, auth: AccessTokenSource?, http: HTTPClient) {
        var e = endpoint ?? Self.defaultEndpoint
        while e.hasSuffix("/") { e.removeLast() }
        self.endpoint = e
        self.auth = auth
        self.http = http
    }

    /// jobs.insert. The job id in `job.jobReference` makes a repeated insert answer 409 (`.duplicate`).
    public func insertJob(project: String, _ job: JSON) throws(BigQueryError) -> JSON {
        try call(
            "POST", "/projects/\(Self.segment(project))/jobs", body: job, operation: "BigQuery jobs.insert",
            retryable: true)
    }

    public func getJob(project: String, jobID: String, location: String?) throws(BigQueryError) -> JSON {
        try call(
            "GET", "/projects/\(Self.segment(project))/jobs/\(Self.segment(jobID))", query: [("location", location)],
            operation: "BigQuery jobs.get")
    }

    public func cancelJob(project: String, jobID: String, location: String?) throws(BigQueryError) -> JSON {
        try call(
            "POST", "/projects/\(Self.segment(project))/jobs/\(Self.segment(jobID))/cancel",
            query: [("location", location)],
            operation: "BigQuery jobs.cancel", retryable: true)
    }

    /// One page of a finished query's rows (timestamps as integer microseconds).
    public func queryResults(
        project: String, jobID: String, location: String?, pageToken: String?, maxResults: Int?
    ) throws(BigQueryError) -> JSON {
        try call(
            "GET", "/projects/\(Self.segment(project))/queries/\(Self.segment(jobID))",
            query: [
                ("location", location), ("pageToken", pageToken), ("maxResults", maxResults.map(String.init)),
                ("timeoutMs", "0"), ("formatOptions.useInt64Timestamp", "true"),
            ], operation: "BigQuery jobs.getQueryResults")
    }

    public func table(_ ref: TableReference) throws(BigQueryError) -> JSON {
        try call(
            "GET",
            "/projects/\(Self.segment(ref.project))/datasets/\(Self.segment(ref.dataset))/tables/\(Self.segment(ref.table))",
            operation: "BigQuery tables.get")
    }

    /// Sends one request; any non-2xx answer throws, classified.
    public func call(
        _ method: String, _ path: String, query: [(String, String?)] = [], body: JSON? = nil, operation: String,
        retryable: Bool? = nil
    ) throws(BigQueryError) -> JSON {
        let pairs = query.compactMap { name, value in value.map { "\(name)=\(FormEncoding.encode($0))" } }
        let url = endpoint + "/bigquery/v2" + path + (pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&"))
        var request = HTTPRequest(method, url, body: body.map(JSONWriter.encode) ?? [], retryable: retryable)
        if body != nil { request.setHeader("Content-Type", "application/json") }
        var refreshed = false
        while true {
            var token: String?
            if let auth {
                do { token = try auth.token() } catch { throw BigQueryError(auth: error, operation: operation) }
                request.setHeader("Authorization", "Bearer " + token!)
            }
            let response: HTTPResponse
            do { response = try http.send(request) } catch {
                throw BigQueryError(transport: error, operation: operation)
            }
            if response.status == 401, let auth, let token, !refreshed {
                // Revoked or expired early: one fresh token, once.
                auth.invalidate(token)
                refreshed = true
                continue
            }
            guard response.isSuccess else { throw BigQueryError(response: response, operation: operation) }
            if response.body.isEmpty { return .object([:]) }
            do { return try JSONParser.parse(response.body) } catch {
                throw BigQueryError(
                    kind: .backend, status: response.status, reason: "badResponse",
                    message: "the answer is not JSON: \(response.text.prefix(200))", operation: operation)
            }
        }
    }

    /// A path segment, percent-encoded.
    static func segment(_ s: String) -> String { FormEncoding.encode(s) }
}

/// `project.dataset.table`, as BigQuery names a table.
public struct TableReference: Sendable, Hashable, CustomStringConvertible {
    public var project: String
    public var dataset: String
    public var table: String

    public init(project: String, dataset: String, table: String) {
        self.project = project
        self.dataset = dataset
        self.table = table
    }

    /// From the API's `{projectId, datasetId, tableId}`.
    public init?(json: JSON?) {
        guard let p = json?["projectId"]?.stringValue, let d = json?["datasetId"]?.stringValue,
            let t = json?["tableId"]?.stringValue
        else {
            return nil
        }
        self.init(project: p, dataset: d, table: t)
    }

    public var json: JSON {
        .object(["projectId": .string(project), "datasetId": .string(dataset), "tableId": .string(table)])
    }
    public var description: String { "\(project).\(dataset).\(table)" }
    /// The dataset value's URI: `bq://project.dataset.table`.
    public var uri: String { "bq://\(self)" }
}
