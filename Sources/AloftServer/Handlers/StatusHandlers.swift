import AloftEngine
import AloftWire
import Hummingbird

/// Health (the process answers), readiness (its metadata store answers too) and the plugin directory.
struct StatusHandlers: Sendable {
    let state: ServerState

    func health(_ request: Request, _ context: ServerContext) async throws -> Response {
        JSONResponse.make(.object(["status": .string("ok")]))
    }

    func ready(_ request: Request, _ context: ServerContext) async throws -> Response {
        do { _ = try state.store.projects() } catch {
            return APIError(.serviceUnavailable, "the metadata store does not answer").response
        }
        return JSONResponse.make(.object(["status": .string("ready")]))
    }

    func plugins(_ request: Request, _ context: ServerContext) async throws -> Response {
        _ = try context.requireGrant()
        return JSONResponse.make(PluginsView.json(state.host))
    }

    func openAPI(_ request: Request, _ context: ServerContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    }
}
