import AloftWire
import Hummingbird

/// JSON in and out: the canonical writer (sorted keys) for responses, AloftWire's parser for bodies.
enum JSONResponse {
    static func make(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
        make(bytes: JSONWriter.encode(value), status: status)
    }

    /// A body written already (a list page streamed into a JSONWriter).
    static func make(bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Request bodies: at most `limit` bytes (more is a 413 that says the limit), a JSON object.
enum JSONBody {
    static let limit = 1 << 20

    static func object(_ request: Request) async throws -> [String: JSON] {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "the request body is larger than \(limit) bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        if bytes.isEmpty { throw APIError.badRequest("the request body is empty; expected a JSON object") }
        let parsed: JSON
        do { parsed = try JSONParser.parse(bytes) } catch {
            throw APIError.badRequest("the request body is not JSON: \(error.description)")
        }
        guard case .object(let members) = parsed else {
            throw APIError.badRequest("the request body must be a JSON object, not \(parsed.kindName)")
        }
        return members
    }

    /// `object(request)` whose members are all among `fields`: any other is a 400 naming each unknown one and
    /// listing the known ones, so a misspelt field is never silently ignored.
    static func object(_ request: Request, fields: [String]) async throws -> [String: JSON] {
        let body = try await object(request)
        let unknown = body.keys.filter { !fields.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw APIError.badRequest(
                "unknown field\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); "
                    + "fields: \(fields.joined(separator: ", "))",
                fields: Dictionary(uniqueKeysWithValues: unknown.map { ($0, "unknown field") }))
        }
        return body
    }

    /// A string member, required or not; any other kind is an error naming the field.
    static func string(_ body: [String: JSON], _ name: String, required: Bool = true) throws -> String? {
        guard let value = body[name], value != .null else {
            if required { throw APIError.badRequest("missing field \"\(name)\"", fields: [name: "required"]) }
            return nil
        }
        guard let s = value.stringValue, !s.isEmpty else {
            throw APIError.badRequest(
                "field \"\(name)\" must be a non-empty string", fields: [name: "expected a non-empty string"])
        }
        return s
    }
}
