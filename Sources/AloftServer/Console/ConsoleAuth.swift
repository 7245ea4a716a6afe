import AloftEngine
import AloftSystem
import FoundationEssentials
import Hummingbird

/// The console's session: the token given on the login page, kept in an HttpOnly, SameSite=Strict cookie
/// scoped to /console (the browser never exposes it to scripts or other sites). A page without a valid one
/// redirects to the login page; the grant is the token's, exactly as for the API.
struct ConsoleAuthMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    static let cookie = "aloft_console"
    let readers: StoreReaders

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let secret = Self.secret(request),
            let token = try readers.next().token(secretHash: APITokens.hash(secret)),
            !token.revoked
        else {
            return Response(status: .seeOther, headers: [.location: "/console/login"])
        }
        var context = context
        context.grant = try Grant(token, registry: readers.next())
        return try await next(request, context)
    }

    static func secret(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingWhitespace().split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookie { return String(parts[1]) }
            }
        }
        return nil
    }

    static func setCookie(_ secret: String) -> String {
        "\(cookie)=\(secret); Path=/console; HttpOnly; SameSite=Strict"
    }

    static let clearCookie = "\(cookie)=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0"
}
