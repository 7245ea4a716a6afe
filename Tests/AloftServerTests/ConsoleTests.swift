import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// The console over plain HTTP (no browser yet): log in with a token, the executions page, an execution's
/// page with its DAG coloured by phase and its nodes' details, a blob download through the session, and the
/// same tenancy as the API.
@Suite(.timeLimit(.minutes(5))) struct ConsoleTests {
    @Test func logInListAnExecutionAndOpenItsGraphAndNodes() throws {
        let s = try ServerFixture(projects: ["a", "b"], tokens: ["a": (["a"], "launcher"), "b": (["b"], "viewer")])
        defer { s.stop() }
        let id = try s.launch(
            #"{"project": "a", "domain": "development", "name": "w", "inputs": {"x": 6}}"#, token: "a")
        _ = try s.waitForEnd(id, token: "a")

        let anonymous = try s.call("GET", "/console/executions", token: nil)
        #expect(anonymous.status == 303 && anonymous.location == "/console/login")
        let wrong = try s.form("/console/login", "token=aloft_nope")
        #expect(wrong.status == 401 && wrong.text.contains("That token is not known or was revoked."))
        #expect(!wrong.text.contains("aloft_nope"))
        let login = try s.form("/console/login", "token=" + s.secrets["a"]!)
        #expect(login.status == 303 && login.location == "/console/executions")
        let cookie = try #require(login.setCookie?.split(separator: ";").first.map(String.init))
        #expect(login.setCookie?.contains("HttpOnly; SameSite=Strict") == true)

        let list = try s.page("/console/executions", cookie: cookie)
        #expect(list.status == 200 && list.contentType?.hasPrefix("text/html") == true)
        #expect(list.text.contains("data-execution=\"\(id)\""))
        #expect(list.text.contains("<span class=\"badge succeeded\">succeeded</span>"))

        let page = try s.page("/console/executions/\(id)", cookie: cookie)
        #expect(page.text.contains("<svg"), "\(page.text)")
        #expect(page.text.contains("data-node=\"s\" data-phase=\"succeeded\""))
        #expect(page.text.contains("<details id=\"node-s\">"))
        #expect(page.text.contains("<code>6</code>"))  // the node's output, rendered by type
        #expect(page.text.contains("data-live=\"false\""))  // finished: the page stops polling
        let value = try s.page("/console/executions/\(id)/nodes/s/outputs/x", cookie: cookie)
        #expect(value.json["value"] == .object(["integer": .integer(6)]))

        // b's session sees none of a's executions; a logged-out session is sent to the login page.
        let b = try #require(
            try s.form("/console/login", "token=" + s.secrets["b"]!).setCookie?.split(separator: ";").first.map(
                String.init))
        #expect(!(try s.page("/console/executions", cookie: b).text.contains(id)))
        #expect(try s.page("/console/executions/\(id)", cookie: b).status == 404)
        let out = try s.form("/console/logout", "")
        #expect(out.setCookie?.contains("Max-Age=0") == true)
    }

    @Test func theLaunchFormIsGeneratedFromTheInterfaceAndCheckedByTheServer() throws {
        let s = try ServerFixture(projects: ["ml"], tokens: ["l": (["ml"], "launcher"), "v": (["ml"], "viewer")])
        defer { s.stop() }
        let cookie = try #require(
            try s.form("/console/login", "token=" + s.secrets["l"]!).setCookie?.split(separator: ";").first.map(
                String.init))
        let index = try s.page("/console/launch", cookie: cookie)
        #expect(index.text.contains("href=\"/console/launch/ml/development/daily?kind=launchplan\""), "\(index.text)")
        let form = try s.page("/console/launch/ml/development/daily?kind=launchplan", cookie: cookie)
        #expect(form.text.contains("id=\"in.x\" name=\"in.x\" value=\"\" placeholder=\"4\""), "\(form.text)")
        #expect(form.text.contains("pattern=\"-?[0-9]+\""))
        #expect(form.text.contains("(fixed by the launch plan)"))
        let bad = try s.form(
            "/console/launch/ml/development/daily?kind=launchplan", "in.x=abc", cookie: cookie)
        #expect(bad.status == 400)
        #expect(
            bad.text.contains("<div class=\"error\" id=\"error-x\">x: expected integer, found string</div>"),
            "\(bad.text)")
        #expect(bad.text.contains("value=\"abc\""))  // what was typed stays
        let launched = try s.form("/console/launch/ml/development/daily?kind=launchplan", "in.x=9", cookie: cookie)
        #expect(launched.status == 303, "\(launched.text)")
        let id = try #require(launched.location?.split(separator: "/").last.map(String.init))
        #expect(try s.waitForEnd(id, token: "l")["outputs"]?["x"] == .object(["integer": .integer(9)]))
        let viewer = try #require(
            try s.form("/console/login", "token=" + s.secrets["v"]!).setCookie?.split(separator: ";").first.map(
                String.init))
        #expect(
            try s.form("/console/launch/ml/development/daily?kind=launchplan", "in.x=1", cookie: viewer).status == 403)
        let plugins = try s.page("/console/plugins", cookie: cookie)
        #expect(plugins.text.contains("aloft.echo") && plugins.text.contains(">loaded</span>"), "\(plugins.text)")
    }
}
