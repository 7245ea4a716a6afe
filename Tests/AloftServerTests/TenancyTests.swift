import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// Every endpoint tried with a token of another project: nothing of project a is read, listed, launched,
/// aborted or relaunched with b's token; a's own viewer reads but does not launch or abort.
@Suite(.timeLimit(.minutes(5))) struct TenancyTests {
    @Test func aTokenReachesOnlyItsOwnProjects() throws {
        let s = try ServerFixture(
            projects: ["a", "b"],
            tokens: [
                "a-launcher": (["a"], "launcher"), "a-viewer": (["a"], "viewer"), "b-admin": (["b"], "admin"),
                "ab-viewer": (["a", "b"], "viewer"),
            ])
        defer { s.stop() }
        let running = try s.launch(
            #"{"project": "a", "domain": "development", "name": "sleepy", "inputs": {"x": 1}}"#, token: "a-launcher")
        let done = try s.launch(
            #"{"project": "a", "domain": "development", "name": "w", "inputs": {"x": 2}}"#, token: "a-launcher")
        #expect(try s.waitForEnd(done, token: "a-launcher")["phase"] == .string("succeeded"))

        // Reads of a's things with b's token: "not found", exactly as for things that do not exist.
        let reads = [
            "/api/v1/projects/a", "/api/v1/projects/a/domains/development/workflows",
            "/api/v1/projects/a/domains/development/workflows/w",
            "/api/v1/projects/a/domains/development/workflows/w/v1",
            "/api/v1/executions/\(done)", "/api/v1/executions/\(done)/nodes", "/api/v1/executions/\(done)/nodes/s",
            "/api/v1/executions/\(done)/nodes/s/outputs/x", "/api/v1/executions/\(done)/nodes/s/inputs/x",
            "/api/v1/executions/\(done)/outputs/x", "/api/v1/executions/\(done)/nodes/s/lineage",
            "/api/v1/projects/a/cache",
        ]
        for path in reads {
            let r = try s.call("GET", path, token: "b-admin")
            #expect(r.status == 404, "\(path): \(r.status) \(r.text)")
            #expect(!r.text.contains("\"x\""), "\(path) leaked a value: \(r.text)")
            #expect(try s.call("GET", path, token: "a-viewer").status == 200, "\(path) with a's own token")
        }
        // Lists: b sees only b; naming a is refused.
        #expect(
            try s.call("GET", "/api/v1/projects", token: "b-admin").json["projects"]?.arrayValue?.map { $0["id"] } == [
                .string("b")
            ])
        #expect(try s.call("GET", "/api/v1/executions", token: "b-admin").json["executions"]?.arrayValue == [])
        let named = try s.call("GET", "/api/v1/executions?project=a", token: "b-admin")
        #expect(named.status == 403 && named.message == "this token is not for project \"a\"; it covers: b")
        #expect(try s.call("GET", "/api/v1/executions", token: "ab-viewer").json["executions"]?.arrayValue?.count == 2)
        // Changes: b cannot launch into a, abort or relaunch a's executions; a's viewer cannot either.
        let launch = try s.call(
            "POST", "/api/v1/executions", token: "b-admin",
            body: #"{"project": "a", "domain": "development", "name": "w", "inputs": {"x": 1}}"#)
        #expect(launch.status == 403)
        for verb in ["abort", "relaunch", "recover"] {
            #expect(try s.call("POST", "/api/v1/executions/\(running)/\(verb)", token: "b-admin").status == 404)
            let viewer = try s.call("POST", "/api/v1/executions/\(running)/\(verb)", token: "a-viewer")
            #expect(viewer.status == 403 && viewer.message.contains("needs a launcher token"), "\(viewer.text)")
        }
        let register = try s.call(
            "POST", "/api/v1/projects/a/domains/development/register", token: "b-admin",
            body: #"{"spec": "version: 1\ntasks:\n  t:\n    type: echo\n", "version": "v9"}"#)
        #expect(register.status == 403, "\(register.text)")
        #expect(try s.call("DELETE", "/api/v1/projects/a/cache?task=square", token: "b-admin").status == 404)
        let viewerLaunch = try s.call(
            "POST", "/api/v1/executions", token: "ab-viewer",
            body: #"{"project": "b", "domain": "development", "name": "w", "inputs": {"x": 1}}"#)
        #expect(viewerLaunch.status == 403)
        #expect(
            try s.call("GET", "/api/v1/executions/\(running)", token: "a-viewer").json["phase"] == .string("running"))
        // b launches into b; a's token does not see it.
        let bs = try s.launch(
            #"{"project": "b", "domain": "development", "name": "w", "inputs": {"x": 3}}"#, token: "b-admin")
        #expect(try s.call("GET", "/api/v1/executions/\(bs)", token: "a-launcher").status == 404)
        #expect(try s.call("POST", "/api/v1/executions/\(running)/abort", token: "a-launcher").status == 202)
        _ = try s.waitForEnd(running, token: "a-launcher")
        // No secret in any answer or in the server's log.
        for secret in s.secretValues { #expect(!s.serverLog.contains(secret)) }
    }

    /// POST /api/v1/tokens: an admin makes tokens for its own projects only; the secret is answered once and
    /// works, is scoped as asked, and is not in the server's log.
    @Test func anAdminMakesTokensOnlyForItsOwnProjects() throws {
        let s = try ServerFixture(
            projects: ["a", "b"],
            tokens: [
                "a-admin": (["a"], "admin"), "a-launcher": (["a"], "launcher"), "ab-admin": (["a", "b"], "admin"),
            ])
        defer { s.stop() }
        let other = try s.call(
            "POST", "/api/v1/tokens", token: "a-admin", body: #"{"projects": ["a", "b"], "role": "viewer"}"#)
        #expect(
            other.status == 403 && other.message == "this token is not for project \"b\"; it covers: a", "\(other.text)"
        )
        let launcher = try s.call(
            "POST", "/api/v1/tokens", token: "a-launcher", body: #"{"projects": ["a"], "role": "viewer"}"#)
        #expect(launcher.status == 403 && launcher.message.contains("needs a admin token"), "\(launcher.text)")
        let badRole = try s.call(
            "POST", "/api/v1/tokens", token: "a-admin", body: #"{"projects": ["a"], "role": "boss"}"#)
        #expect(badRole.status == 400 && badRole.message.contains("boss is not a role"), "\(badRole.text)")
        let unknown = try s.call(
            "POST", "/api/v1/tokens", token: "a-admin", body: #"{"projects": ["a"], "role": "viewer", "ttl": 5}"#)
        #expect(unknown.status == 400 && unknown.message.contains("unknown field ttl"), "\(unknown.text)")
        let empty = try s.call("POST", "/api/v1/tokens", token: "a-admin", body: #"{"projects": [], "role": "viewer"}"#)
        #expect(empty.status == 400, "\(empty.text)")

        let made = try s.call(
            "POST", "/api/v1/tokens", token: "a-admin", body: #"{"projects": ["a"], "role": "viewer"}"#)
        #expect(made.status == 201, "\(made.text)")
        let secret = try #require(made.json["secret"]?.stringValue)
        #expect(made.json["id"]?.stringValue?.hasPrefix("tok-") == true && made.json["role"] == .string("viewer"))
        let seen = try s.call("GET", "/api/v1/projects", token: secret).json["projects"]?.arrayValue?.map { $0["id"] }
        #expect(seen == [.string("a")])
        let launch = try s.call(
            "POST", "/api/v1/executions", token: secret,
            body: #"{"project": "a", "domain": "development", "name": "w", "inputs": {"x": 1}}"#)
        #expect(launch.status == 403, "\(launch.text)")
        // A token of two projects made by an admin of both; the CLI lists the new tokens, never their secrets.
        let both = try s.call(
            "POST", "/api/v1/tokens", token: "ab-admin", body: #"{"projects": ["a", "b"], "role": "launcher"}"#)
        #expect(both.status == 201 && both.json["projects"] == .array([.string("a"), .string("b")]), "\(both.text)")
        let listed = try ServerFixture.cli(["tokens", "list"], s.dir)
        #expect(listed.contains(made.json["id"]?.stringValue ?? "?") && !listed.contains(secret))
        for secret in s.secretValues + [secret, both.json["secret"]?.stringValue ?? "?"] {
            #expect(!s.serverLog.contains(secret))
        }
    }

    /// GET and DELETE /api/v1/tokens: an admin lists and revokes only tokens within its own projects (another
    /// project's, a wider one's or an operator's are not listed and "not found"); a revoked token is 401 at once.
    @Test func anAdminListsAndRevokesOnlyTokensOfItsOwnProjects() throws {
        let s = try ServerFixture(
            projects: ["a", "b"],
            tokens: [
                "a-admin": (["a"], "admin"), "a-viewer": (["a"], "viewer"), "b-viewer": (["b"], "viewer"),
                "ab-viewer": (["a", "b"], "viewer"), "operator": (["*"], "admin"),
            ])
        defer { s.stop() }
        func ids(_ token: String) throws -> Set<String> {
            let r = try s.call("GET", "/api/v1/tokens", token: token)
            #expect(r.status == 200, "\(r.text)")
            #expect(!s.secretValues.contains { r.text.contains($0) }, "a secret in the list")
            return Set((r.json["tokens"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
        }
        let all = try ids("operator")
        #expect(all.count == 5)
        let aOwn = try ids("a-admin")
        #expect(aOwn.count == 2, "a's admin and a's viewer only: \(aOwn)")
        #expect(try s.call("GET", "/api/v1/tokens", token: "a-viewer").status == 403)
        let bViewer = try #require(
            all.subtracting(aOwn).first { id in
                try s.call("GET", "/api/v1/tokens", token: "operator").json["tokens"]?.arrayValue?.first {
                    $0["id"] == .string(id)
                }?["projects"] == .array([.string("b")])
            })
        #expect(try s.call("DELETE", "/api/v1/tokens/\(bViewer)", token: "a-admin").status == 404)
        #expect(try s.call("DELETE", "/api/v1/tokens/tok-nope", token: "a-admin").status == 404)
        #expect(try s.call("GET", "/api/v1/projects", token: "b-viewer").status == 200, "not revoked by a's admin")

        let aViewer = try #require(
            aOwn.first { id in
                try s.call("GET", "/api/v1/tokens", token: "a-admin").json["tokens"]?.arrayValue?.first {
                    $0["id"] == .string(id)
                }?["role"] == .string("viewer")
            })
        let revoked = try s.call("DELETE", "/api/v1/tokens/\(aViewer)", token: "a-admin")
        #expect(revoked.status == 200 && revoked.json["revoked"] == .bool(true), "\(revoked.text)")
        #expect(try s.call("GET", "/api/v1/projects", token: "a-viewer").status == 401)
        // The operator revokes b's viewer too.
        #expect(try s.call("DELETE", "/api/v1/tokens/\(bViewer)", token: "operator").status == 200)
        #expect(try s.call("GET", "/api/v1/projects", token: "b-viewer").status == 401)
    }
}
