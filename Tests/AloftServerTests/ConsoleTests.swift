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
}
