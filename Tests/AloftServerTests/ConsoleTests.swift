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

    /// The Gantt timeline: a bar per started node, in the workflow's order, coloured by phase, from when the
    /// node was first stored running to its last update; chain's `b` starts after `a` does.
    @Test func theTimelineHasABarPerStartedNodeFromItsStartToItsEnd() throws {
        let s = try ServerFixture(projects: ["a"], tokens: ["a": (["a"], "launcher")])
        defer { s.stop() }
        let cookie = try #require(
            try s.form("/console/login", "token=" + s.secrets["a"]!).setCookie?.split(separator: ";").first.map(
                String.init))
        let chain = try s.launch(
            #"{"project": "a", "domain": "development", "name": "chain", "inputs": {"x": 2}}"#, token: "a")
        _ = try s.waitForEnd(chain, token: "a")
        let page = try s.page("/console/executions/\(chain)", cookie: cookie).text
        let bars = Self.bars(page)
        #expect(bars.map(\.node) == ["a", "b"], "\(page)")
        #expect(bars.allSatisfy { $0.phase == "succeeded" && 0 <= $0.start && $0.start <= $0.end })
        #expect(bars.count == 2 && bars[0].start <= bars[1].start)
        #expect(page.contains("<svg class=\"timeline\""))

        let sleepy = try s.launch(
            #"{"project": "a", "domain": "development", "name": "sleepy", "inputs": {"x": 1}}"#, token: "a")
        var running: [Bar] = []
        for _ in 0..<100 where running.isEmpty {
            running = Self.bars(try s.page("/console/executions/\(sleepy)", cookie: cookie).text)
            if running.isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(running.map(\.node) == ["s"] && running.first?.phase == "running")
        _ = try s.call("POST", "/api/v1/executions/\(sleepy)/abort", token: "a")
        _ = try s.waitForEnd(sleepy, token: "a")
    }

    /// Server-sent events: a finished execution's stream is one event and ends; a running one's stream sends
    /// the node's phase as it changes and ends once the execution is aborted. Read with curl, line by line.
    @Test func theEventStreamSendsPhaseChangesUntilTheExecutionEnds() throws {
        let s = try ServerFixture(projects: ["a", "b"], tokens: ["a": (["a"], "launcher"), "b": (["b"], "viewer")])
        defer { s.stop() }
        let cookie = try #require(
            try s.form("/console/login", "token=" + s.secrets["a"]!).setCookie?.split(separator: ";").first.map(
                String.init))
        let done = try s.launch(
            #"{"project": "a", "domain": "development", "name": "chain", "inputs": {"x": 2}}"#, token: "a")
        _ = try s.waitForEnd(done, token: "a")
        let ended = try s.page("/console/executions/\(done)/events", cookie: cookie)
        #expect(ended.contentType == "text/event-stream")
        #expect(
            ended.text == "retry: 2000\n\nevent: phase\n"
                + #"data: {"nodes":{"a":"succeeded","b":"succeeded"},"status":"succeeded"}"# + "\n\n")
        #expect(
            try s.page("/console/executions/\(done)", cookie: cookie).text.contains(
                "data-events=\"/console/executions/\(done)/events\""))
        let other = try #require(
            try s.form("/console/login", "token=" + s.secrets["b"]!).setCookie?.split(separator: ";").first.map(
                String.init))
        #expect(try s.page("/console/executions/\(done)/events", cookie: other).status == 404)

        let sleepy = try s.launch(
            #"{"project": "a", "domain": "development", "name": "sleepy", "inputs": {"x": 1}}"#, token: "a")
        let stream = try EventStream(s.url + "/console/executions/\(sleepy)/events", cookie: cookie)
        let running = #"data: {"nodes":{"s":"running"},"status":"running"}"#
        var text = stream.read(until: running)
        #expect(text.contains(running), "\(text)")
        #expect(try s.call("POST", "/api/v1/executions/\(sleepy)/abort", token: "a").status == 202)
        text += stream.rest()
        let events = text.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: phase") }
        #expect(events.last?.contains(#""status":"aborted""#) == true, "\(text)")
        #expect(Set(events).count == events.count)  // an event only when something changed
    }

    /// The registry page lists every version of each task, workflow and launch plan; a version's page shows
    /// its typed interface and launches exactly that version; node details link to the outputs a node read.
    @Test func theRegistryListsVersionsWithInterfacesAndNodesLinkTheirLineage() throws {
        let s = try ServerFixture(
            projects: ["ml", "b"], tokens: ["admin": (["ml"], "admin"), "b": (["b"], "viewer")])
        defer { s.stop() }
        let v2 = ServerFixture.spec.replacingOccurrences(of: "default: n}", with: "default: m}")
        let register = JSONWriter.string(.object(["spec": .string(v2), "version": .string("v2")]))
        let registered = try s.call(
            "POST", "/api/v1/projects/ml/domains/development/register", token: "admin", body: register)
        #expect(registered.status == 201, "\(registered.text)")
        let cookie = try #require(
            try s.form("/console/login", "token=" + s.secrets["admin"]!).setCookie?.split(separator: ";").first.map(
                String.init))
        let index = try s.page("/console/registry", cookie: cookie).text
        let base = "/console/registry/ml/development"
        #expect(
            index.contains(
                "<a class=\"version\" href=\"\(base)/workflow/w/v2\">v2</a> <a class=\"version\" href=\"\(base)/workflow/w/v1\">v1</a>"
            ),
            "\(index)")
        #expect(index.contains("data-entity=\"task/square\"") && index.contains("data-entity=\"launchplan/daily\""))

        let w1 = try s.page("\(base)/workflow/w/v1", cookie: cookie).text
        #expect(
            w1.contains(
                #"<tr data-input="note"><th>note</th><td><code>string</code></td><td></td><td><code>&quot;n&quot;</code>"#
            ),
            "\(w1)")
        #expect(w1.contains(#"<tr data-input="x"><th>x</th><td><code>integer</code></td><td>required</td>"#))
        #expect(w1.contains(#"<tr data-output="x">"#))
        #expect(w1.contains("href=\"/console/launch/ml/development/w?kind=workflow&amp;version=v1\""))
        let form1 = try s.page("/console/launch/ml/development/w?kind=workflow&version=v1", cookie: cookie).text
        #expect(form1.contains("placeholder=\"n\"") && form1.contains("version=v1\""), "\(form1)")
        #expect(
            try s.page("/console/launch/ml/development/w?kind=workflow", cookie: cookie).text.contains(
                "placeholder=\"m\""))
        #expect(try s.page("\(base)/workflow/w/v9", cookie: cookie).status == 404)

        let other = try #require(
            try s.form("/console/login", "token=" + s.secrets["b"]!).setCookie?.split(separator: ";").first.map(
                String.init))
        #expect(!(try s.page("/console/registry", cookie: other).text.contains("/console/registry/ml/")))
        #expect(try s.page("\(base)/workflow/w/v1", cookie: other).status == 404)

        let chain = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "chain", "inputs": {"x": 2}}"#, token: "admin")
        _ = try s.waitForEnd(chain, token: "admin")
        let page = try s.page("/console/executions/\(chain)", cookie: cookie).text
        #expect(
            page.contains(##"<li data-lineage-input="x"><code>x</code> ← <a href="#node-a">a</a>.x</li>"##), "\(page)")
        #expect(page.contains(##"<li>x → <a href="#node-b">b</a>.x</li>"##))
    }

    /// A stopping server ends its open event streams at once (it aborts its executions only once every
    /// connection has closed): SIGTERM with a stream open on a running execution, and both end.
    @Test func stoppingTheServerEndsAnOpenEventStream() throws {
        let s = try ServerFixture(projects: ["a"], tokens: ["a": (["a"], "launcher")])
        defer { s.stop() }
        let cookie = try #require(
            try s.form("/console/login", "token=" + s.secrets["a"]!).setCookie?.split(separator: ";").first.map(
                String.init))
        let sleepy = try s.launch(
            #"{"project": "a", "domain": "development", "name": "sleepy", "inputs": {"x": 1}}"#, token: "a")
        // Past the suite's time limit: a server that waited for the stream to end would fail the suite.
        let stream = try EventStream(s.url + "/console/executions/\(sleepy)/events", cookie: cookie, maxSeconds: 600)
        #expect(stream.read(until: #""status":"running"}"#).contains(#""s":"running""#))
        s.stop()  // waits for the server to exit
        #expect(!stream.rest().contains("event: phase"))  // the stream ended with no more events
    }

    /// Server-sent events read with curl as they come (a hang guard: curl's --max-time, since the suite's time
    /// limit cannot stop a blocked read).
    struct EventStream {
        let curl = Process()
        let out = Pipe()

        init(_ url: String, cookie: String, maxSeconds: Int = 240) throws {
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = ["curl", "-sN", "--max-time", "\(maxSeconds)", "-H", "Cookie: " + cookie, url]
            curl.standardOutput = out
            try curl.run()
        }

        /// What arrived until `text` did (or the stream ended).
        func read(until text: String) -> String {
            var got = ""
            while !got.contains(text) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                got += String(decoding: chunk, as: UTF8.self)
            }
            return got
        }

        /// The rest, once the stream ends.
        func rest() -> String {
            defer { curl.waitUntilExit() }
            return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
    }

    struct Bar { var node: String, phase: String, start: Int, end: Int }

    /// The timeline's bars as the page has them (`data-node`, `data-phase`, `data-start-ms`, `data-end-ms`).
    static func bars(_ page: String) -> [Bar] {
        page.components(separatedBy: "<g class=\"bar ").dropFirst().compactMap { g in
            func attribute(_ name: String) -> String? {
                guard let r = g.range(of: " \(name)=\"") else { return nil }
                return g[r.upperBound...].split(separator: "\"", maxSplits: 1).first.map(String.init)
            }
            guard let node = attribute("data-node"), let phase = attribute("data-phase"),
                let start = attribute("data-start-ms").flatMap({ Int($0) }),
                let end = attribute("data-end-ms").flatMap({ Int($0) })
            else { return nil }
            return Bar(node: node, phase: phase, start: start, end: end)
        }
    }
}
