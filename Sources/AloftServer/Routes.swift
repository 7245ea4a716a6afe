import AloftEngine
import Hummingbird

/// Every route of `aloft serve`, in one table (the OpenAPI document lists the same). Health, readiness and the
/// OpenAPI document are open; the rest of /api/v1 needs a bearer token (BearerAuthMiddleware) and is scoped to
/// its projects.
enum Routes {
    typealias Handler = @Sendable (Request, ServerContext) async throws -> Response

    /// Who may call a route: anyone, an API bearer token, or the console's session cookie (a token too).
    enum Access: Sendable { case open, token, session }

    struct Route: Sendable {
        let method: HTTPRequest.Method
        let path: String
        var access: Access = .token
        let handler: Handler

        init(method: HTTPRequest.Method, path: String, access: Access? = nil, handler: @escaping Handler) {
            self.method = method
            self.path = path
            self.access = access ?? (Routes.open.contains(path) ? .open : .token)
            self.handler = handler
        }
    }

    static let open = ["/healthz", "/readyz", "/api/openapi.json"]

    static func table(_ state: ServerState) -> [Route] {
        let status = StatusHandlers(state: state)
        let registry = RegistryHandlers(state: state)
        let executions = ExecutionHandlers(state: state)
        let launch = LaunchHandler(state: state)
        let nodes = NodeHandlers(state: state)
        let register = RegisterHandler(state: state)
        let cache = CacheHandlers(state: state)
        let tokens = TokenHandlers(state: state)
        let project = "/api/v1/projects/:project"
        let execution = "/api/v1/executions/:id"
        return [
            Route(method: .get, path: "/healthz", handler: status.health),
            Route(method: .get, path: "/readyz", handler: status.ready),
            Route(method: .get, path: "/api/openapi.json", handler: status.openAPI),
            Route(method: .get, path: "/api/v1/projects", handler: registry.projects),
            Route(method: .post, path: "/api/v1/projects", handler: ProjectCreateHandler(state: state).create),
            Route(method: .get, path: project, handler: registry.project),
            Route(method: .get, path: project + "/domains/:domain/:kind", handler: registry.entities),
            Route(method: .get, path: project + "/domains/:domain/:kind/:name", handler: registry.entities),
            Route(method: .get, path: project + "/domains/:domain/:kind/:name/:version", handler: registry.entity),
            Route(method: .post, path: project + "/domains/:domain/register", handler: register.register),
            Route(method: .get, path: project + "/cache", handler: cache.list),
            Route(method: .delete, path: project + "/cache", handler: cache.clear),
            Route(method: .get, path: "/api/v1/executions", handler: executions.list),
            Route(method: .post, path: "/api/v1/executions", handler: launch.launch),
            Route(method: .get, path: execution, handler: executions.get),
            Route(method: .post, path: execution + "/abort", handler: executions.abort),
            Route(method: .post, path: execution + "/relaunch", handler: executions.relaunch),
            Route(method: .post, path: execution + "/recover", handler: executions.recover),
            Route(method: .get, path: execution + "/outputs/:name", handler: nodes.executionOutput),
            Route(method: .get, path: execution + "/nodes", handler: nodes.list),
            Route(method: .get, path: execution + "/nodes/:node", handler: nodes.get),
            Route(method: .get, path: execution + "/nodes/:node/lineage", handler: nodes.lineage),
            Route(
                method: .get, path: execution + "/nodes/:node/outputs/:name",
                handler: { try await nodes.value($0, $1, outputs: true) }),
            Route(
                method: .get, path: execution + "/nodes/:node/inputs/:name",
                handler: { try await nodes.value($0, $1, outputs: false) }),
            Route(method: .get, path: "/api/v1/plugins", handler: status.plugins),
            Route(method: .get, path: "/api/v1/tokens", handler: tokens.list),
            Route(method: .post, path: "/api/v1/tokens", handler: tokens.create),
            Route(method: .delete, path: "/api/v1/tokens/:id", handler: tokens.revoke),
        ] + console(state, nodes)
    }

    /// The console: HTML pages behind the session cookie (the login page is open).
    static func console(_ state: ServerState, _ nodes: NodeHandlers) -> [Route] {
        let pages = ConsoleHandlers(state: state)
        let launch = ConsoleLaunch(state: state)
        let registry = ConsoleRegistry(state: state)
        let execution = "/console/executions/:id"
        return [
            Route(method: .get, path: "/console", access: .open) { _, _ in
                Response(status: .seeOther, headers: [.location: "/console/executions"])
            },
            Route(method: .get, path: "/console/login", access: .open, handler: pages.loginPage),
            Route(method: .post, path: "/console/login", access: .open, handler: pages.login),
            Route(method: .post, path: "/console/logout", access: .open, handler: pages.logout),
            Route(method: .get, path: "/console/executions", access: .session, handler: pages.executions),
            Route(method: .get, path: "/console/launch", access: .session, handler: launch.index),
            Route(method: .get, path: "/console/launch/:project/:domain/:name", access: .session, handler: launch.form),
            Route(
                method: .post, path: "/console/launch/:project/:domain/:name", access: .session, handler: launch.launch),
            Route(method: .get, path: "/console/plugins", access: .session, handler: ConsolePlugins(state: state).page),
            Route(method: .get, path: "/console/registry", access: .session, handler: registry.index),
            Route(
                method: .get, path: "/console/registry/:project/:domain/:kind/:name/:version", access: .session,
                handler: registry.entity),
            Route(method: .get, path: execution, access: .session, handler: pages.execution),
            Route(
                method: .get, path: execution + "/events", access: .session, handler: ConsoleEvents(state: state).events
            ),
            Route(method: .get, path: execution + "/outputs/:name", access: .session, handler: nodes.executionOutput),
            Route(
                method: .get, path: execution + "/nodes/:node/outputs/:name", access: .session,
                handler: { try await nodes.value($0, $1, outputs: true) }),
            Route(
                method: .get, path: execution + "/nodes/:node/inputs/:name", access: .session,
                handler: { try await nodes.value($0, $1, outputs: false) }),
        ]
    }

    static func install(on router: Router<ServerContext>, _ routes: [Route], readers: StoreReaders) {
        let api = router.group().add(middleware: BearerAuthMiddleware(readers: readers))
        let console = router.group().add(middleware: ConsoleAuthMiddleware(readers: readers))
        for r in routes {
            switch r.access {
            case .open: router.on(RouterPath(r.path), method: r.method, use: r.handler)
            case .token: api.on(RouterPath(r.path), method: r.method, use: r.handler)
            case .session: console.on(RouterPath(r.path), method: r.method, use: r.handler)
            }
        }
    }

    /// The methods a path answers to, for a 405 that says which (empty: no such path). A literal segment wins
    /// over a parameter (`.../domains/d/register` is the register route, not a `:kind`).
    static func methods(of path: String, in routes: [Route]) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let matches: [(route: Route, literals: Int)] = routes.compactMap { r in
            let template = r.path.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == parts.count,
                zip(template, parts).allSatisfy({ t, p in t.hasPrefix(":") ? !p.isEmpty : t == p })
            else { return nil }
            return (r, template.filter { !$0.hasPrefix(":") }.count)
        }
        let best = matches.map(\.literals).max()
        return matches.filter { $0.literals == best }.map(\.route.method)
    }
}
