import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// `aloft serve`'s API end to end: a real server process, the real engine and the built-in echo plugin.
@Suite(.timeLimit(.minutes(5)), .serialized) struct ServerAPITests {
    @Test func healthReadinessAndTheOpenAPIDocumentNeedNoToken() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: [:])
        defer { s.stop() }
        #expect(try s.call("GET", "/healthz", token: nil).json["status"] == .string("ok"))
        #expect(try s.call("GET", "/readyz", token: nil).json["status"] == .string("ready"))
        let doc = try s.call("GET", "/api/openapi.json", token: nil)
        #expect(doc.status == 200)
        #expect(doc.json["openapi"]?.stringValue?.hasPrefix("3.") == true)
        #expect(doc.json["paths"]?["/api/v1/executions/{id}"] != nil)
    }

    @Test func everyAPIRouteNeedsAKnownBearerToken() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["v": (["ml"], "viewer")])
        defer { s.stop() }
        let none = try s.call("GET", "/api/v1/projects", token: nil)
        #expect(none.status == 401)
        #expect(none.message.contains("missing Authorization: Bearer"))
        let wrong = try s.call("GET", "/api/v1/projects", token: "aloft_0123")
        #expect(wrong.status == 401)
        #expect(wrong.message == "the bearer token is not known or was revoked")
        #expect(!wrong.text.contains("aloft_0123"))  // a secret is never echoed
        #expect(try s.call("GET", "/api/v1/projects", token: "v").status == 200)
        // Revoked with the CLI: refused at once.
        let id = try #require(
            try ServerFixture.cli(["tokens", "list"], s.dir).split(separator: "\n").dropFirst().first?.split(
                separator: " "
            ).first)
        try ServerFixture.cli(["tokens", "revoke", String(id)], s.dir)
        #expect(try s.call("GET", "/api/v1/projects", token: "v").status == 401)
    }

    @Test func projectsAndTheRegistry() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["v": (["ml"], "viewer")])
        defer { s.stop() }
        let projects = try s.call("GET", "/api/v1/projects", token: "v").json["projects"]?.arrayValue ?? []
        #expect(projects.map { $0["id"] } == [.string("ml")])
        #expect(projects.first?["domains"]?.arrayValue?.count == 3)
        let plans = try s.call("GET", "/api/v1/projects/ml/domains/development/launchplans", token: "v")
        #expect(plans.json["launchplans"]?.arrayValue?.map { $0["name"] } == [.string("daily")])
        let daily = try s.call("GET", "/api/v1/projects/ml/domains/development/launchplans/daily/latest", token: "v")
        #expect(daily.json["version"] == .string("v1"))
        #expect(daily.json["interface"]?["inputs"]?["x"]?["required"] == .bool(false))
        #expect(daily.json["interface"]?["inputs"]?["note"]?["fixed"] == .string("scheduled"))
        let versions = try s.call("GET", "/api/v1/projects/ml/domains/development/tasks/square", token: "v")
        #expect(versions.json["tasks"]?.arrayValue?.count == 1)
        // Unknown names, kinds, domains and versions: 404s that say what is missing.
        let missing = try s.call("GET", "/api/v1/projects/ml/domains/development/tasks/nosuch", token: "v")
        #expect(missing.status == 404)
        #expect(missing.message == "no task nosuch is registered in ml/development")
        #expect(try s.call("GET", "/api/v1/projects/ml/domains/qa/tasks", token: "v").message.contains("no domain qa"))
        #expect(try s.call("GET", "/api/v1/projects/ml/domains/development/things", token: "v").status == 404)
        #expect(
            try s.call("GET", "/api/v1/projects/ml/domains/development/workflows/w/v9", token: "v").message
                == "no workflow w@v9 is registered in ml/development")
    }

    @Test func anAdminRegistersASpecThroughTheAPI() throws {
        let s = try ServerFixture(
            projects: ["ml", "other"], tokens: ["admin": (["ml"], "admin"), "l": (["ml"], "launcher")])
        defer { s.stop() }
        func register(_ spec: String, version: String = "v2", token: String = "admin") throws -> ServerFixture.Answer {
            let body = JSONWriter.string(.object(["spec": .string(spec), "version": .string(version)]))
            return try s.call("POST", "/api/v1/projects/ml/domains/development/register", token: token, body: body)
        }
        let spec = "version: 1\ntasks:\n  cube:\n    type: echo\n    inputs: {x: integer}\n    outputs: {x: integer}\n"
        let created = try register(spec)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json["entities"]?.arrayValue?.first?["outcome"] == .string("created"))
        #expect(try register(spec).json["entities"]?.arrayValue?.first?["outcome"] == .string("unchanged"))
        let changed = try register(
            spec.replacingOccurrences(of: "outputs: {x: integer}", with: "outputs: {y: integer}"))
        #expect(changed.status == 409 && changed.message.contains("already registered with other content"))
        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "cube", "kind": "task", "inputs": {"x": 3}}"#,
            token: "l")
        #expect(try s.waitForEnd(id, token: "l")["outputs"]?["x"] == .object(["integer": .integer(3)]))
        #expect(try register(spec, token: "l").status == 403)
        let imports = try register("version: 1\nimports: [/etc/hostname]\n")
        #expect(imports.status == 400 && imports.message.contains("cannot import files"), "\(imports.text)")
        let bad = try register("version: 1\ntasks:\n  t:\n    type: nosuch\n")
        #expect(bad.status == 400 && bad.message.contains("no plugin serves task type \"nosuch\""), "\(bad.text)")
        let reference = try register(
            "version: 1\nreferences:\n  tasks:\n    w: other/development/square@v1\n", version: "v3")
        #expect(reference.status == 400 && reference.message.contains("not one this token covers"), "\(reference.text)")
    }

    @Test func launchChecksEveryInputAndRunsOnTheServersEngine() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["l": (["ml"], "launcher")])
        defer { s.stop() }
        // Wrong types, an unknown input and a missing one: all named at once, each under its field.
        let bad = try s.call(
            "POST", "/api/v1/executions", token: "l",
            body: #"{"project": "ml", "domain": "development", "name": "w", "inputs": {"note": 3, "y": 1}}"#)
        #expect(bad.status == 400)
        let fields = bad.json["error"]?["fields"]
        #expect(fields?["note"]?.stringValue == "note: expected string, found integer")
        #expect(fields?["y"]?.stringValue?.contains("has no input \"y\"") == true)
        #expect(fields?["x"]?.stringValue == "missing (expected integer)")
        let fixed = try s.call(
            "POST", "/api/v1/executions", token: "l",
            body: #"{"project": "ml", "domain": "development", "name": "daily", "inputs": {"note": "mine"}}"#)
        #expect(fixed.status == 400)
        #expect(fixed.message.contains("fixed by launch plan daily"))
        let unknown = try s.call(
            "POST", "/api/v1/executions", token: "l", body: #"{"project": "ml", "domain": "development", "name": "zz"}"#
        )
        #expect(unknown.status == 404)
        #expect(unknown.message.contains("nothing named \"zz\""))
        #expect(
            try s.call("POST", "/api/v1/executions", token: "l", body: #"{"project": "ml""#).message.hasPrefix(
                "the request body is not JSON"))
        #expect(try s.call("POST", "/api/v1/executions", token: "l", body: "[]").status == 400)
        #expect(
            try s.call("POST", "/api/v1/executions", token: "l", body: #"{"project": "ml", "domain": 1, "name": "w"}"#)
                .message == "field \"domain\" must be a non-empty string")
        let huge = try s.call(
            "POST", "/api/v1/executions", token: "l",
            body: #"{"project": "ml", "pad": ""# + String(repeating: "x", count: 2 << 20) + "\"}")
        #expect(huge.status == 413)
        #expect(huge.message.contains("larger than"))

        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "daily", "inputs": {"x": 7}}"#, token: "l")
        let done = try s.waitForEnd(id, token: "l")
        #expect(done["phase"] == .string("succeeded"), "\(done) \(s.serverLog)")
        #expect(done["outputs"]?["x"] == .object(["integer": .integer(7)]))
        #expect(done["launchedFrom"] == .string("launchplan daily@v1"))
        let node = try s.call("GET", "/api/v1/executions/\(id)/nodes/s", token: "l").json
        #expect(node["phase"] == .string("succeeded") && node["attempts"] == .integer(1))
        let started = try #require(node["startedAt"]?.stringValue, "a node that ran says when it started")
        #expect(started <= (node["updatedAt"]?.stringValue ?? ""))
        let value = try s.call("GET", "/api/v1/executions/\(id)/nodes/s/outputs/x", token: "l").json
        #expect(value["value"] == .object(["integer": .integer(7)]))
        #expect(try s.call("GET", "/api/v1/executions/\(id)/outputs/x", token: "l").json["value"] != nil)
        #expect(try s.call("GET", "/api/v1/executions/\(id)/nodes/zz", token: "l").status == 404)
        let chain = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "chain", "inputs": {"x": 2}}"#, token: "l")
        _ = try s.waitForEnd(chain, token: "l")
        let lineage = try s.call("GET", "/api/v1/executions/\(chain)/nodes/b/lineage", token: "l").json
        #expect(lineage["upstream"]?.arrayValue?.first?["sourceNode"] == .string("a"), "\(lineage)")
        #expect(lineage["upstream"]?.arrayValue?.first?["sourceOutput"] == .string("x"))
        #expect(
            try s.call("GET", "/api/v1/executions/\(chain)/nodes/a/lineage", token: "l").json["downstream"]?.arrayValue?
                .first?["node"] == .string("b"))
        // The CLI reads the same store and shows the same execution.
        let shown = try ServerFixture.cli(["executions", "show", id, "--json"], s.dir)
        #expect((try? JSONParser.parse(shown))?["outputs"] == done["outputs"])
    }

    @Test func listFiltersAndPagesWithACursor() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["l": (["ml"], "launcher")])
        defer { s.stop() }
        var ids: [String] = []
        for x in 0..<5 {
            let id = try s.launch(
                #"{"project": "ml", "domain": "development", "name": "w", "inputs": {"x": \#(x)}}"#, token: "l")
            _ = try s.waitForEnd(id, token: "l")
            ids.append(id)
        }
        var seen: [String] = []
        var path = "/api/v1/executions?project=ml&limit=2"
        while true {
            let page = try s.call("GET", path, token: "l").json
            seen += (page["executions"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            guard let cursor = page["nextCursor"]?.stringValue else { break }
            path = "/api/v1/executions?project=ml&limit=2&cursor=" + cursor
        }
        #expect(seen == ids.reversed())  // newest first, each once
        #expect(
            try s.call("GET", "/api/v1/executions?phase=succeeded&workflow=w", token: "l").json["executions"]?
                .arrayValue?.count == 5)
        #expect(try s.call("GET", "/api/v1/executions?phase=failed", token: "l").json["executions"]?.arrayValue == [])
        #expect(
            try s.call("GET", "/api/v1/executions?phase=done", token: "l").message.contains(
                "not one of queued, running"))
        #expect(try s.call("GET", "/api/v1/executions?limit=0", token: "l").status == 400)
        #expect(try s.call("GET", "/api/v1/executions?limit=x", token: "l").status == 400)
        #expect(try s.call("GET", "/api/v1/executions?cursor=nonsense", token: "l").message.contains("cursor"))
    }

    @Test func abortAndRelaunch() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["l": (["ml"], "launcher"), "v": (["ml"], "viewer")])
        defer { s.stop() }
        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "sleepy", "inputs": {"x": 1}}"#, token: "l")
        #expect(try s.call("POST", "/api/v1/executions/\(id)/abort", token: "v").status == 403)
        let abort = try s.call("POST", "/api/v1/executions/\(id)/abort", token: "l")
        #expect(abort.status == 202, "\(abort.text)")
        let ended = try s.waitForEnd(id, token: "l")
        #expect(ended["phase"] == .string("aborted"), "\(ended)")
        let again = try s.call("POST", "/api/v1/executions/\(id)/abort", token: "l")
        #expect(again.status == 409)
        #expect(again.message == "execution \(id) is already aborted")
        let running = try s.call("POST", "/api/v1/executions/\(id)/recover", token: "l")
        #expect(running.status == 201, "\(running.text)")
        let recovered = try #require(running.json["id"]?.stringValue)
        #expect(try s.call("GET", "/api/v1/executions/\(recovered)", token: "l").json["recoveredFrom"] == .string(id))
        let notYet = try s.call("POST", "/api/v1/executions/\(recovered)/recover", token: "l")
        #expect(notYet.status == 409 && notYet.message.contains("only failed or aborted executions are recovered"))
        #expect(try s.call("POST", "/api/v1/executions/\(recovered)/abort", token: "l").status == 202)
        _ = try s.waitForEnd(recovered, token: "l")
        let relaunch = try s.call("POST", "/api/v1/executions/\(id)/relaunch", token: "l")
        #expect(relaunch.status == 201)
        let newID = try #require(relaunch.json["id"]?.stringValue)
        let shown = try s.call("GET", "/api/v1/executions/\(newID)", token: "l").json
        #expect(shown["launchedFrom"] == .string("relaunch of \(id)"))
        #expect(try s.call("POST", "/api/v1/executions/\(newID)/abort", token: "l").status == 202)
        #expect(try s.waitForEnd(newID, token: "l")["phase"] == .string("aborted"))
    }

    @Test func stoppingTheServerAbortsTheExecutionsItRuns() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["l": (["ml"], "launcher")])
        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "sleepy", "inputs": {"x": 1}}"#, token: "l")
        s.stop()  // SIGTERM
        let shown = try JSONParser.parse(try ServerFixture.cli(["executions", "show", id, "--json"], s.dir))
        #expect(shown["phase"] == .string("aborted"), "\(shown) \(s.serverLog)")
    }

    @Test func blobDownloadsAreStreamedFromTheBlobStoreAndConfinedToIt() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["v": (["ml"], "launcher")])
        defer { s.stop() }
        let uploads = s.dir + "/.aloft/blobs/uploads"
        try FileManager.default.createDirectory(atPath: uploads + "/d/sub", withIntermediateDirectories: true)
        let big = String(repeating: "0123456789abcdef", count: 20_000)  // several chunks
        try big.write(toFile: uploads + "/f.txt", atomically: true, encoding: .utf8)
        try "inner".write(toFile: uploads + "/d/sub/a.txt", atomically: true, encoding: .utf8)
        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "files", "inputs": {"f": "file://\#(uploads)/f.txt", "d": "file://\#(uploads)/d"}}"#,
            token: "v")
        #expect(try s.waitForEnd(id, token: "v")["phase"] == .string("succeeded"), "\(s.serverLog)")
        let f = try s.call("GET", "/api/v1/executions/\(id)/nodes/k/outputs/f", token: "v")
        #expect(f.status == 200 && f.contentType == "application/octet-stream")
        #expect(f.text == big)
        #expect(try s.call("GET", "/api/v1/executions/\(id)/outputs/f", token: "v").text == big)
        let inner = try s.call("GET", "/api/v1/executions/\(id)/nodes/k/inputs/d?path=sub/a.txt", token: "v")
        #expect(inner.text == "inner")
        for bad in [
            "../../metadata.sqlite", "%2e%2e/%2e%2e/metadata.sqlite", "/etc/passwd", "sub/../../x", "sub//a.txt",
        ] {
            let r = try s.call("GET", "/api/v1/executions/\(id)/nodes/k/inputs/d?path=\(bad)", token: "v")
            #expect(r.status == 400, "\(bad): \(r.status) \(r.text)")
            #expect(r.message.contains("must be relative to the directory"))
        }
        #expect(
            try s.call("GET", "/api/v1/executions/\(id)/nodes/k/inputs/d", token: "v").message.contains(
                "give ?path=FILE"))
        #expect(try s.call("GET", "/api/v1/executions/\(id)/nodes/k/inputs/d?path=sub/none", token: "v").status == 404)
        // A symlink inside the store that leads out of it is refused.
        try FileManager.default.createSymbolicLink(atPath: uploads + "/d/escape", withDestinationPath: "/etc")
        let escape = try s.call("GET", "/api/v1/executions/\(id)/nodes/k/inputs/d?path=escape/hostname", token: "v")
        #expect(escape.status == 404 && escape.message.contains("outside"), "\(escape.text)")
        // A blob that lives outside the store (a user's own file) is not served.
        let outside = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "files", "inputs": {"f": "file:///etc/hostname", "d": "file:///etc"}}"#,
            token: "v")
        _ = try s.waitForEnd(outside, token: "v")
        let r = try s.call("GET", "/api/v1/executions/\(outside)/nodes/k/inputs/f", token: "v")
        #expect(r.status == 404 && r.message.contains("outside this server's blob store"), "\(r.text)")
    }

    @Test func theCacheOfAProjectIsListedAndClearedByAnAdmin() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["admin": (["ml"], "admin"), "v": (["ml"], "viewer")])
        defer { s.stop() }
        let spec =
            "version: 1\ntasks:\n  c:\n    type: echo\n    cache: {version: \"1\"}\n    inputs: {x: integer}\n    outputs: {x: integer}\n"
        let body = JSONWriter.string(.object(["spec": .string(spec), "version": .string("v1")]))
        #expect(
            try s.call("POST", "/api/v1/projects/ml/domains/development/register", token: "admin", body: body).status
                == 201)
        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "c", "kind": "task", "inputs": {"x": 5}}"#,
            token: "admin")
        _ = try s.waitForEnd(id, token: "admin")
        let entries =
            try s.call("GET", "/api/v1/projects/ml/cache?task=c", token: "v").json["entries"]?.arrayValue ?? []
        #expect(entries.count == 1 && entries.first?["producer"]?["execution"] == .string(id), "\(entries)")
        #expect(entries.first?["outputs"]?["x"] == .object(["integer": .integer(5)]))
        #expect(try s.call("DELETE", "/api/v1/projects/ml/cache?task=c", token: "v").status == 403)
        #expect(try s.call("DELETE", "/api/v1/projects/ml/cache", token: "admin").message.contains("give ?task=NAME"))
        #expect(try s.call("DELETE", "/api/v1/projects/ml/cache?task=c", token: "admin").json["cleared"] == .integer(1))
        #expect(try s.call("GET", "/api/v1/projects/ml/cache", token: "v").json["entries"]?.arrayValue == [])
    }

    @Test func pluginsAndUnknownRoutes() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["v": (["ml"], "viewer")])
        defer { s.stop() }
        let plugins = try s.call("GET", "/api/v1/plugins", token: "v").json
        #expect(plugins["routes"]?["echo"] == .string("aloft.echo"))
        #expect(
            plugins["plugins"]?.arrayValue?.contains {
                $0["id"] == .string("aloft.echo") && $0["status"] == .string("loaded")
            } == true)
        let none = try s.call("GET", "/api/v1/nothing", token: "v")
        #expect(none.status == 404 && none.message.contains("no such endpoint"))
        #expect(try s.call("GET", "/api/v1/executions/ex-none", token: "v").message == "no execution ex-none")
    }
}
