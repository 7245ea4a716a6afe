import AloftEngine
import Hummingbird
import Logging

/// Turns whatever a handler throws into a JSON error: an APIError as it says, the framework's own (no route,
/// a body too large) with its status (a known path asked with another method: 405 with Allow), and anything
/// else as a 500 that is logged with the request's method and path only (never its headers: they carry the
/// token).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let logger: Logger
    let routes: [Routes.Route]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            return e.response
        } catch let e as HTTPError {
            let allowed = Routes.methods(of: request.uri.path, in: routes)
            if e.status == .notFound, !allowed.isEmpty, !allowed.contains(request.method) {
                let names = allowed.map(\.rawValue).joined(separator: ", ")
                var r = APIError(
                    .methodNotAllowed, "\(request.uri.path) answers \(names), not \(request.method.rawValue)"
                )
                .response
                r.headers[.allow] = names
                return r
            }
            let message =
                e.status == .notFound
                ? "no such endpoint: \(request.method.rawValue) \(request.uri.path) (GET /api/openapi.json lists them)"
                : (e.body ?? e.status.reasonPhrase)
            return APIError(e.status, message).response
        } catch let e as RegistryError {
            return APIError.badRequest(e.message).response
        } catch {
            logger.error("\(request.method.rawValue) \(request.uri.path) failed: \(error)")
            return APIError(.internalServerError, "the server failed to answer; its log says why").response
        }
    }
}
