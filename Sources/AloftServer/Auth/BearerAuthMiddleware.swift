import AloftEngine
import Hummingbird

/// `Authorization: Bearer <token>` on every API route: the token's SHA-256 is looked up in the store
/// (the secret itself is never stored, logged or echoed), and its grant goes into the request's context.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let readers: StoreReaders

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing Authorization: Bearer <token> (`aloft tokens create` makes one)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw APIError(.unauthorized, "the Authorization header must be \"Bearer <token>\"")
        }
        guard let token = try readers.next().token(secretHash: APITokens.hash(String(parts[1]))), !token.revoked else {
            throw APIError(.unauthorized, "the bearer token is not known or was revoked")
        }
        var context = context
        context.grant = try Grant(token, registry: readers.next())
        return try await next(request, context)
    }
}
