import AloftCompiler
import AloftEngine
import AloftSystem
import AloftWire
import FoundationEssentials
import Hummingbird

/// The console's launch pages: the launch plans and workflows of the token's projects, and a form generated
/// from one's typed interface. The browser checks what it can (required fields, whole numbers, JSON for
/// lists and maps); the server checks everything again with the API's own rules and shows each field's error.
struct ConsoleLaunch: Sendable {
    let state: ServerState

    func index(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        var rows = ""
        for (project, d) in try state.scopes(of: grant) {
            for kind in [EntityKind.launchPlan, .workflow] {
                var seen = Set<String>()
                for e in try state.reads.entities(kind, project: project, domain: d, name: nil)
                where seen.insert(e.name).inserted {
                    let href =
                        "/console/launch/\(HTML.segment(project))/\(HTML.segment(d))/\(HTML.segment(e.name))?kind=\(kind.rawValue)"
                    rows +=
                        "<tr><td><a href=\"\(href)\">\(HTML.escape(e.name))</a></td><td>\(kind.rawValue)</td>"
                        + "<td>\(HTML.escape(e.version))</td><td>\(HTML.escape(project))/\(HTML.escape(d))</td></tr>"
                }
            }
        }
        return HTML.page(
            "Launch",
            "<h1>Launch</h1><table><tr><th>Name</th><th>Kind</th><th>Newest version</th><th>Project/domain</th></tr>"
                + (rows.isEmpty ? "<tr><td colspan=4 class=muted>nothing registered</td></tr>" : rows) + "</table>")
    }

    func form(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (l, scope) = try launchable(request, context, role: .viewer)
        return page(l, scope: scope, values: [:], errors: [:], message: nil)
    }

    func launch(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (l, scope) = try launchable(request, context, role: .launcher)
        var request = request
        let form = Self.formFields(String(buffer: try await request.collectBody(upTo: JSONBody.limit)))
        var values: [String: String] = [:]
        var json: [String: JSON] = [:]
        for (name, type) in l.interface.inputs {
            guard let text = form["in." + name], !text.isEmpty else { continue }
            values[name] = text
            // A string-like input is taken as typed; anything else is JSON (3, 0.5, true, [1, 2], {"a": 1}).
            if case .string = type {
                json[name] = .string(text)
            } else {
                json[name] = (try? JSONParser.parse(text)) ?? .string(text)
            }
        }
        do {
            let given = try LaunchHandler.inputs(.object(json), for: l)
            let id = try await LaunchHandler(state: state).start(
                l, given: given, project: scope.project, domain: scope.domain)
            return Response(status: .seeOther, headers: [.location: "/console/executions/\(HTML.segment(id))"])
        } catch let e as APIError {
            var r = page(l, scope: scope, values: values, errors: e.fields, message: e.fields.isEmpty ? e.message : nil)
            r.status = e.status
            return r
        }
    }

    private func launchable(
        _ request: Request, _ context: ServerContext, role: TokenRole
    ) throws -> (Launchable, (project: String, domain: String)) {
        let grant = try context.requireGrant()
        let project = try context.parameter("project")
        let domain = try context.parameter("domain")
        guard grant.covers(project) else { throw APIError.notFound("nothing named that in \(project)") }
        try grant.require(role: role)
        let kind = try request.uri.queryParameters.get("kind").map { try LaunchHandler.kind(String($0)) }
        do {
            let l = try Launcher(registry: state.store).resolve(
                try context.parameter("name"), version: request.uri.queryParameters.get("version").map { String($0) },
                kind: kind, project: project, domain: domain)
            return (l, (project, domain))
        } catch let e as RegistryError { throw APIError.notFound(e.message) }
    }

    private func page(
        _ l: Launchable, scope: (project: String, domain: String), values: [String: String], errors: [String: String],
        message: String?
    ) -> Response {
        let fixed = l.launchPlan?.fixed ?? [:]
        let defaults = l.defaults.merging(l.launchPlan?.defaults ?? [:]) { _, plan in plan }
        var fields = ""
        for name in l.interface.inputs.keys.sorted() {
            let type = l.interface.inputs[name]!
            let id = "in." + name
            if let f = fixed[name] {
                fields +=
                    "<tr><th>\(HTML.escape(name))</th><td><code>\(HTML.escape(type.description))</code></td>"
                    + "<td>\(HTML.value(f, download: nil)) <span class=muted>(fixed by the launch plan)</span></td></tr>"
                continue
            }
            let required = defaults[name] == nil && !type.acceptsNone
            var attributes = required ? " required" : ""
            if case .integer = type { attributes += " inputmode=\"numeric\" pattern=\"-?[0-9]+\"" }
            let structured: Bool
            switch type {
            case .list, .map, .structure: structured = true
            default: structured = false
            }
            if structured { attributes += " data-json=\"true\"" }
            // As it would be typed: a string-like value (a string, a blob's URI, a date) without JSON's quotes.
            let placeholder =
                defaults[name].map { d -> String in
                    if case .string(let text) = d.plain { return text }
                    return JSONWriter.string(d.plain)
                } ?? ""
            let value = values[name] ?? ""
            let error = errors[name].map {
                "<div class=\"error\" id=\"error-\(HTML.escape(name))\">\(HTML.escape($0))</div>"
            }
            fields +=
                "<tr><th><label for=\"\(HTML.escape(id))\">\(HTML.escape(name))</label></th>"
                + "<td><code>\(HTML.escape(type.description))</code>\(required ? "" : " <span class=muted>optional</span>")</td>"
                + "<td><input id=\"\(HTML.escape(id))\" name=\"\(HTML.escape(id))\" value=\"\(HTML.escape(value))\" "
                + "placeholder=\"\(HTML.escape(placeholder))\"\(attributes)>\(error ?? "")</td></tr>"
        }
        let action =
            "/console/launch/\(HTML.segment(scope.project))/\(HTML.segment(scope.domain))/\(HTML.segment(l.entity.name))?kind=\(l.entity.kind.rawValue)"
            + "&amp;version=\(HTML.segment(l.entity.version))"  // the version shown is the one launched
        let body = """
            <h1>Launch \(HTML.escape(l.label))</h1><p class="muted">in \(HTML.escape(scope.project))/\(HTML.escape(scope.domain)); \
            runs workflow \(HTML.escape(l.workflow)). Lists and maps are JSON; blobs are URIs.</p>
            \(message.map { "<p class=\"error\" id=\"launch-error\">\(HTML.escape($0))</p>" } ?? "")
            <form method="post" action="\(action)" id="launch-form" onsubmit="return aloftCheckJSON(this)">
            <table><tr><th>Input</th><th>Type</th><th>Value</th></tr>\(fields)</table>
            <p><button type="submit">Launch</button></p></form>
            <script>function aloftCheckJSON(form) {
              for (const input of form.querySelectorAll('input[data-json]')) {
                input.setCustomValidity('');
                if (input.value) { try { JSON.parse(input.value); } catch (e) { input.setCustomValidity('not JSON: ' + e.message); } }
              }
              return form.reportValidity();
            }</script>
            """
        var r = HTML.page("Launch \(l.label)", body)
        if !errors.isEmpty || message != nil { r.status = .badRequest }
        return r
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            func decode(_ s: Substring) -> String {
                String(s).replacing("+", with: " ").percentDecoded ?? String(s)
            }
            if let key = parts.first { out[decode(key)] = parts.count == 2 ? decode(parts[1]) : "" }
        }
        return out
    }
}

/// The plugins page: every plugin file found, loaded or refused with its reason, and the task-type routes.
struct ConsolePlugins: Sendable {
    let state: ServerState

    func page(_ request: Request, _ context: ServerContext) async throws -> Response {
        _ = try context.requireGrant()
        let view = PluginsView.json(state.host)
        let rows = (view["plugins"]?.arrayValue ?? []).map { p in
            let status = p["status"]?.stringValue ?? ""
            let reason = p["refusal"]?["message"]?.stringValue.map { ": " + $0 } ?? ""
            return
                "<tr><td>\(HTML.escape(p["id"]?.stringValue ?? "-"))</td><td>\(HTML.escape(p["version"]?.stringValue ?? "-"))</td>"
                + "<td>\(HTML.escape((p["task_types"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")))</td>"
                + "<td><span class=\"badge \(status == "loaded" ? "succeeded" : status == "refused" ? "failed" : "")\">"
                + "\(HTML.escape(status))</span>\(HTML.escape(reason))</td><td><code>\(HTML.escape(p["file"]?.stringValue ?? ""))</code></td></tr>"
        }.joined()
        let routes = (view["routes"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
            "<tr><td><code>\(HTML.escape($0.key))</code></td><td>\(HTML.escape($0.value.stringValue ?? ""))</td></tr>"
        }.joined()
        return HTML.page(
            "Plugins",
            "<h1>Plugins</h1><table><tr><th>ID</th><th>Version</th><th>Task types</th><th>Status</th><th>File</th></tr>"
                + rows + "</table><h2>Routes</h2><table><tr><th>Task type</th><th>Plugin</th></tr>\(routes)</table>")
    }
}
