import AloftCompiler
import AloftEngine
import AloftSystem
import AloftWire
import FoundationEssentials
import Hummingbird

/// The console's pages: log in with a token, the executions of its projects (live), and an execution with its
/// DAG coloured by phase, its nodes, and each node's details (inputs and outputs by type, blobs downloadable,
/// failure, logs). Every page shows the same views the API and the CLI do.
struct ConsoleHandlers: Sendable {
    let state: ServerState

    func loginPage(_ request: Request, _ context: ServerContext) async throws -> Response {
        login(message: nil)
    }

    func login(_ request: Request, _ context: ServerContext) async throws -> Response {
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: 16 * 1024))
        var secret: String?
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "token" {
                secret = String(parts[1]).replacing("+", with: " ").percentDecoded?
                    .trimmingWhitespace()
            }
        }
        guard let secret, !secret.isEmpty,
            let token = try state.store.token(secretHash: APITokens.hash(secret)), !token.revoked
        else {
            var r = login(message: "That token is not known or was revoked.")
            r.status = .unauthorized
            return r
        }
        return Response(
            status: .seeOther,
            headers: [.location: "/console/executions", .setCookie: ConsoleAuthMiddleware.setCookie(secret)])
    }

    func logout(_ request: Request, _ context: ServerContext) async throws -> Response {
        Response(
            status: .seeOther, headers: [.location: "/console/login", .setCookie: ConsoleAuthMiddleware.clearCookie])
    }

    private func login(message: String?) -> Response {
        HTML.page(
            "Log in",
            """
            <h1>Log in</h1>
            <form class="login" method="post" action="/console/login">
            <label for="token">API token (<code>aloft tokens create --project P --role viewer</code>)</label>
            <input id="token" name="token" type="password" autocomplete="off" required autofocus>
            \(message.map { "<p class=\"error\">\(HTML.escape($0))</p>" } ?? "")
            <button type="submit">Log in</button></form>
            """)
    }

    func executions(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let phase = request.uri.queryParameters.get("phase").map { String($0) }.flatMap {
            ExecutionRecord.Phase(rawValue: $0)
        }
        let query = ExecutionQuery(projects: grant.projects.sorted(), phase: phase?.rawValue, limit: 100)
        let reads = state.reads
        let views = try ExecutionView.summaries(reads.executionPage(query), store: reads)
        let filters = (["all"] + ["running", "succeeded", "failed", "aborted"]).map { p in
            "<a href=\"/console/executions\(p == "all" ? "" : "?phase=" + p)\">\(p)</a>"
        }.joined()
        let rows = views.map { v in
            """
            <tr data-execution="\(HTML.escape(v.id))"><td><a href="/console/executions/\(HTML.segment(v.id))">\
            <code>\(HTML.escape(v.id))</code></a></td><td>\(HTML.badge(v.status))</td>\
            <td>\(HTML.escape(v.project))/\(HTML.escape(v.domain))</td><td>\(HTML.escape(v.workflow))</td>\
            <td>\(HTML.escape(v.launchedFrom ?? ""))</td><td>\(ViewTime.text(v.createdAt))</td></tr>
            """
        }.joined()
        let body = """
            <h1>Executions</h1><div class="filters">\(filters)</div>
            <table><tr><th>ID</th><th>Status</th><th>Project/domain</th><th>Workflow</th><th>Launched from</th>\
            <th>Created</th></tr>\(rows.isEmpty ? "<tr><td colspan=6 class=muted>none yet</td></tr>" : rows)</table>
            """
        return HTML.page("Executions", live: views.contains { $0.phase == .running }, body)
    }

    func execution(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let e = try state.execution(try context.parameter("id"), grant)
        let v = try ExecutionView(e, store: state.reads, nodes: true)
        let nodes = v.nodes ?? []
        var phases: [String: NodePhase] = [:]
        for n in nodes { phases[n.node] = n.phase }
        let workflow = (try? CompiledSpec(json: JSONParser.parse(e.spec)))?.workflows[e.workflow]
        let base = "/console/executions/\(HTML.segment(e.id))"
        let rows = nodes.map { n in
            """
            <tr><td><a href="#node-\(HTML.escape(n.node))">\(HTML.escape(n.node))</a></td>\
            <td>\(HTML.badge(n.phase.rawValue + (n.cached ? " (cached)" : "")))</td><td>\(n.attempts)</td>\
            <td>\(HTML.escape(n.pluginID ?? ""))</td><td>\(HTML.escape(n.failure?.summary ?? n.status ?? ""))</td></tr>
            """
        }.joined()
        var lineage = ConsoleLineage(store: state.reads, grant: grant)
        let details = try nodes.map { n in
            let download = { (side: String) in
                { (name: String) -> String? in
                    "\(base)/nodes/\(HTML.segment(n.node))/\(side)/\(HTML.segment(name))"
                }
            }
            var d = "<details id=\"node-\(HTML.escape(n.node))\"><summary><b>\(HTML.escape(n.node))</b> "
            d += HTML.badge(n.phase.rawValue) + "</summary><table class=\"kv\">"
            d +=
                "<tr><th>attempts</th><td>\(n.attempts) (user failures \(n.userFailures), system \(n.systemFailures))</td></tr>"
            if let f = n.failure {
                d +=
                    "<tr><th>failure</th><td class=\"error\">\(HTML.escape(f.kind.rawValue)) error "
                    + "<code>\(HTML.escape(f.code))</code>\(f.retryable ? " (retryable)" : ""): \(HTML.escape(f.message))</td></tr>"
            }
            if let s = n.status { d += "<tr><th>status</th><td>\(HTML.escape(s))</td></tr>" }
            if n.status == nil, let m = n.lastMessage {
                d += "<tr><th>last message</th><td>\(HTML.escape(m))</td></tr>"
            }
            if let c = n.cachedFrom { d += "<tr><th>cached from</th><td><code>\(HTML.escape(c))</code></td></tr>" }
            if let t = n.taskExecutionID {
                d += "<tr><th>task execution</th><td><code>\(HTML.escape(t))</code></td></tr>"
            }
            for l in n.logLinks {
                d += "<tr><th>log: \(HTML.escape(l.name))</th><td><code>\(HTML.escape(l.uri))</code></td></tr>"
            }
            d += "<tr><th>inputs</th><td>\(HTML.values(n.inputs, download: download("inputs")))</td></tr>"
            d += "<tr><th>outputs</th><td>\(HTML.values(n.outputs, download: download("outputs")))</td></tr>"
            d += try lineage.rows(execution: e.id, node: n.node)
            return d + "</table></details>"
        }.joined()
        var header = "<h1>\(HTML.escape(e.id)) \(HTML.badge(v.status))</h1><table class=\"kv\">"
        header +=
            "<tr><th>workflow</th><td>\(HTML.escape(e.workflow)) in \(HTML.escape(e.project))/\(HTML.escape(e.domain))</td></tr>"
        if let from = v.launchedFrom { header += "<tr><th>launched from</th><td>\(HTML.escape(from))</td></tr>" }
        if let driver = v.driver { header += "<tr><th>driven by</th><td>\(HTML.escape(driver))</td></tr>" }
        header += "<tr><th>inputs</th><td>\(HTML.values(v.inputs, download: { _ in nil }))</td></tr>"
        header +=
            "<tr><th>outputs</th><td>\(HTML.values(v.outputs, download: { "\(base)/outputs/\(HTML.segment($0))" }))</td></tr>"
        if let error = v.error { header += "<tr><th>error</th><td class=\"error\">\(HTML.escape(error))</td></tr>" }
        header += "</table>"
        let body =
            header + "<h2>Graph</h2>"
            + (workflow.map { DAGView.svg($0, phases: phases) } ?? "<p class=muted>no plan</p>")
            + "<h2>Timeline</h2>"
            + TimelineView.svg(
                TimelineView.bars(workflow, nodes: nodes, createdAt: v.createdAt, now: Date()), createdAt: v.createdAt)
            + "<h2>Nodes</h2><table><tr><th>Node</th><th>Phase</th><th>Attempts</th><th>Plugin</th>"
            + "<th>Error / status</th></tr>\(rows)</table><h2>Details</h2>\(details)"
        return HTML.page(e.id, live: e.phase == .running, events: base + "/events", body)
    }
}
