import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// POST /api/v1/projects: only a platform operator's all-projects admin token creates projects; the new
/// project is usable at once (the operator makes it a token, that token registers and launches in it), and
/// a project's own admin can neither create projects nor reach the new one.
@Suite(.timeLimit(.minutes(5))) struct ProjectCreationTests {
    @Test func anAllProjectsAdminCreatesAProjectThatIsUsableAtOnce() throws {
        let s = try ServerFixture(
            projects: ["a"],
            tokens: ["operator": (["*"], "admin"), "a-admin": (["a"], "admin"), "all-viewer": (["*"], "viewer")])
        defer { s.stop() }
        let refused = try s.call("POST", "/api/v1/projects", token: "a-admin", body: #"{"id": "new"}"#)
        #expect(refused.status == 403 && refused.message.contains("all-projects admin token"), "\(refused.text)")
        let viewer = try s.call("POST", "/api/v1/projects", token: "all-viewer", body: #"{"id": "new"}"#)
        #expect(viewer.status == 403 && viewer.message.contains("needs a admin token"), "\(viewer.text)")

        let created = try s.call(
            "POST", "/api/v1/projects", token: "operator",
            body: #"{"id": "new", "description": "a team", "domains": ["dev", "prod"]}"#)
        #expect(created.status == 201, "\(created.text)")
        #expect(
            created.json["id"] == .string("new")
                && created.json["domains"] == .array([.string("dev"), .string("prod")]))
        let again = try s.call("POST", "/api/v1/projects", token: "operator", body: #"{"id": "new"}"#)
        #expect(again.status == 409 && again.message == "project new exists already", "\(again.text)")

        // Every token covering all projects sees it; a's admin does not, and cannot make itself a token for it.
        #expect(try s.call("GET", "/api/v1/projects/new", token: "all-viewer").status == 200)
        #expect(try s.call("GET", "/api/v1/projects/new", token: "a-admin").status == 404)
        let stolen = try s.call(
            "POST", "/api/v1/tokens", token: "a-admin", body: #"{"projects": ["new"], "role": "admin"}"#)
        #expect(stolen.status == 403, "\(stolen.text)")
        let wildcard = try s.call(
            "POST", "/api/v1/tokens", token: "a-admin", body: #"{"projects": ["*"], "role": "viewer"}"#)
        #expect(wildcard.status == 403, "\(wildcard.text)")

        // The operator makes the new project's admin; that token registers a spec and launches in it.
        let token = try s.call(
            "POST", "/api/v1/tokens", token: "operator", body: #"{"projects": ["new"], "role": "admin"}"#)
        #expect(token.status == 201, "\(token.text)")
        let secret = try #require(token.json["secret"]?.stringValue)
        let spec = try String(contentsOfFile: s.dir + "/spec.yaml", encoding: .utf8)
        let register = try s.call(
            "POST", "/api/v1/projects/new/domains/dev/register", token: secret,
            body: JSONWriter.string(.object(["spec": .string(spec), "version": .string("v1")])))
        #expect(register.status == 201, "\(register.text)")
        let id = try s.launch(#"{"project": "new", "domain": "dev", "name": "w", "inputs": {"x": 4}}"#, token: secret)
        #expect(try s.waitForEnd(id, token: secret)["phase"] == .string("succeeded"))
        #expect(try s.call("GET", "/api/v1/executions/\(id)", token: "a-admin").status == 404)
        #expect(
            try s.call("GET", "/api/v1/executions?project=new", token: "all-viewer").json["executions"]?
                .arrayValue?.count == 1)
        let missing = try s.call(
            "POST", "/api/v1/tokens", token: "operator", body: #"{"projects": ["nope"], "role": "viewer"}"#)
        #expect(missing.status == 400 && missing.message == "no project nope", "\(missing.text)")
        for secret in s.secretValues + [secret] { #expect(!s.serverLog.contains(secret)) }
        let listed = try ServerFixture.cli(["tokens", "list"], s.dir)
        #expect(listed.contains("(all projects)"), "\(listed)")
        #expect(throws: (any Error).self) {
            try ServerFixture.cli(["tokens", "create", "--all-projects", "--project", "a", "--role", "viewer"], s.dir)
        }
    }

    @Test func badProjectsAreRefusedWithTheFieldAtFault() throws {
        let s = try ServerFixture(projects: [], tokens: ["operator": (["*"], "admin")])
        defer { s.stop() }
        let cases: [(String, String, String)] = [
            (#"{"id": "no spaces"}"#, "id", #"project id "no spaces": use letters, digits, - and _"#),
            (#"{"id": "p", "domains": ["a", "a"]}"#, "domains", "a domain is given twice: a, a"),
            (#"{"id": "p", "domains": ["a/b"]}"#, "domains", #"domain "a/b""#),
            (#"{"id": "p", "domains": "dev"}"#, "domains", #"field "domains" must be an array"#),
            (#"{"id": "p", "owner": "me"}"#, "owner", "unknown field owner"),
            (#"{}"#, "id", "id"),
            (#"{"id": "*"}"#, "id", #"project id "*""#),
        ]
        for (body, field, message) in cases {
            let r = try s.call("POST", "/api/v1/projects", token: "operator", body: body)
            #expect(r.status == 400, "\(body): \(r.status) \(r.text)")
            #expect(r.message.contains(message), "\(body): \(r.message)")
            #expect(r.json["error"]?["fields"]?[field] != nil, "\(body): \(r.text)")
        }
        let listed = try s.call("GET", "/api/v1/projects", token: "operator").json["projects"]?.arrayValue ?? []
        #expect(listed.map { $0["id"] } == [.string("default")], "only the store's default project")
    }
}
