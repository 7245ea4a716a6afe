import AloftWire
import Hummingbird

/// A request the server refuses, with a message that says what is wrong (and, for inputs, which field):
/// always a 4xx. Anything else that escapes a handler is a 500 whose message names no internals.
struct APIError: Error, Sendable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String
    /// Per input or body field: what is wrong with it.
    var fields: [String: String]

    init(_ status: HTTPResponse.Status, _ message: String, fields: [String: String] = [:]) {
        self.status = status
        self.message = message
        self.fields = fields
    }

    var description: String { "\(status.code) \(message)" }

    static func badRequest(_ message: String, fields: [String: String] = [:]) -> APIError {
        APIError(.badRequest, message, fields: fields)
    }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, message) }
    static func conflict(_ message: String) -> APIError { APIError(.conflict, message) }

    /// `{"error": {"status": 400, "message": "...", "fields": {...}}}`.
    var json: JSON {
        var o: [String: JSON] = ["status": .integer(Int64(status.code)), "message": .string(message)]
        if !fields.isEmpty { o["fields"] = .object(fields.mapValues(JSON.string)) }
        return .object(["error": .object(o)])
    }

    var response: Response {
        var r = JSONResponse.make(json, status: status)
        if status == .unauthorized { r.headers[.wwwAuthenticate] = "Bearer realm=\"aloft\"" }
        return r
    }
}
