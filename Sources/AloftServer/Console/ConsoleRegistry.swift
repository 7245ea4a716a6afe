import AloftEngine
import AloftWire
import Hummingbird

/// The console's registry: the tasks, workflows and launch plans of the token's projects with every version
/// (newest first), and one version's typed interface (the API's view of it) with a link to its launch form.
struct ConsoleRegistry: Sendable {
    let state: ServerState

    func index(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        var rows = ""
        for (project, d) in try state.scopes(of: grant) {
            for kind in [EntityKind.task, .workflow, .launchPlan] {
                // Newest first across names: grouped by name, each name's versions still newest first.
                var versions: [String: [String]] = [:]
                for e in try state.reads.entities(kind, project: project, domain: d, name: nil) {
                    versions[e.name, default: []].append(e.version)
                }
                for (name, vs) in versions.sorted(by: { $0.key < $1.key }) {
                    let links = vs.map { v in
                        "<a class=\"version\" href=\"\(Self.href(project, d, kind, name, v))\">\(HTML.escape(v))</a>"
                    }.joined(separator: " ")
                    rows +=
                        "<tr data-entity=\"\(kind.rawValue)/\(HTML.escape(name))\"><td>\(HTML.escape(name))</td>"
                        + "<td>\(kind.rawValue)</td><td>\(links)</td>"
                        + "<td>\(HTML.escape(project))/\(HTML.escape(d))</td></tr>"
                }
            }
        }
        return HTML.page(
            "Registry",
            "<h1>Registry</h1><table><tr><th>Name</th><th>Kind</th><th>Versions (newest first)</th>"
                + "<th>Project/domain</th></tr>"
                + (rows.isEmpty ? "<tr><td colspan=4 class=muted>nothing registered</td></tr>" : rows) + "</table>")
    }

    func entity(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let (project, domain, name, version) = (
            try context.parameter("project"), try context.parameter("domain"), try context.parameter("name"),
            try context.parameter("version")
        )
        let kindText = try context.parameter("kind")
        guard grant.covers(project), let kind = EntityKind(rawValue: kindText),
            let e = try state.reads.entity(kind, project: project, domain: domain, name: name, version: version)
        else {
            throw APIError.notFound("no \(kindText) \(name)@\(version) is registered in \(project)/\(domain)")
        }
        let interface: JSON
        do {
            interface = RegistryHandlers.interface(try Launcher.launchable(e))
        } catch let error as RegistryError {
            throw APIError.notFound(error.message)
        }
        var inputs = ""
        for (n, i) in (interface["inputs"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let plain = { (v: JSON?) in v.map { "<code>\(HTML.escape(JSONWriter.string($0)))</code>" } ?? "" }
            inputs +=
                "<tr data-input=\"\(HTML.escape(n))\"><th>\(HTML.escape(n))</th>"
                + "<td><code>\(HTML.escape(i["type"]?.stringValue ?? ""))</code></td>"
                + "<td>\(i["required"] == .bool(true) ? "required" : "")</td><td>\(plain(i["default"]))</td>"
                + "<td>\(plain(i["fixed"]))</td></tr>"
        }
        let outputs = (interface["outputs"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
            "<tr data-output=\"\(HTML.escape($0.key))\"><th>\(HTML.escape($0.key))</th>"
                + "<td><code>\(HTML.escape($0.value.stringValue ?? ""))</code></td></tr>"
        }.joined()
        let launch =
            "/console/launch/\(HTML.segment(project))/\(HTML.segment(domain))/\(HTML.segment(name))"
            + "?kind=\(kind.rawValue)&amp;version=\(HTML.segment(version))"
        let body = """
            <h1>\(kind.rawValue) \(HTML.escape(name))@\(HTML.escape(version))</h1>
            <p class="muted">in \(HTML.escape(project))/\(HTML.escape(domain)); registered \(ViewTime.text(e.createdAt)); \
            digest <code>\(HTML.escape(e.digest))</code></p>
            <p><a id="launch" href="\(launch)">Launch this version</a></p>
            <h2>Inputs</h2><table><tr><th>Name</th><th>Type</th><th></th><th>Default</th><th>Fixed</th></tr>\
            \(inputs.isEmpty ? "<tr><td colspan=5 class=muted>none</td></tr>" : inputs)</table>
            <h2>Outputs</h2><table><tr><th>Name</th><th>Type</th></tr>\
            \(outputs.isEmpty ? "<tr><td colspan=2 class=muted>none</td></tr>" : outputs)</table>
            """
        return HTML.page("\(name)@\(version)", body)
    }

    static func href(
        _ project: String, _ domain: String, _ kind: EntityKind, _ name: String, _ version: String
    )
        -> String
    {
        "/console/registry/\(HTML.segment(project))/\(HTML.segment(domain))/\(kind.rawValue)/\(HTML.segment(name))/"
            + HTML.segment(version)
    }
}
