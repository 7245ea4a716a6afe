import AloftSystem
import FoundationEssentials
import Hummingbird

/// Each request's context: the framework's, plus the grant of its token once the auth middleware checked it.
struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var grant: Grant?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        grant = nil
    }

    /// The request's grant; routes behind the auth middleware always have one.
    func requireGrant() throws -> Grant {
        guard let grant else { throw APIError(.unauthorized, "missing Authorization: Bearer <token>") }
        return grant
    }

    /// A path parameter the route declares.
    func parameter(_ name: String) throws -> String {
        guard let value = parameters.get(name), !value.isEmpty else {
            throw APIError.badRequest("missing path parameter \(name)")
        }
        return value.percentDecoded ?? value
    }
}
