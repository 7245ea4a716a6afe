import AloftHTTP
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// A real `aloft serve` on 127.0.0.1 (a free port) over a fresh SQLite store in a temporary directory, with
/// the built-in echo plugin; projects, registered entities and tokens are made with the `aloft` CLI first,
/// as an operator would. `stop()` sends SIGTERM and waits.
final class ServerFixture: @unchecked Sendable {
    let dir: String
    let url: String
    private let process: Process
    private let client = HTTPClient(HTTPClient.Configuration(retry: .none))

    static let aloft = Fixtures.buildDirectory + "/aloft"

    /// The spec every server test registers: an echo task, a workflow with a delay (for abort), a workflow
    /// whose output is a blob, and a launch plan with a fixed input.
    static let spec = """
        version: 1
        tasks:
          square:
            type: echo
            inputs: {x: integer}
            outputs: {x: integer}
          slow:
            type: echo
            config: {delay_ms: 60000}
            inputs: {x: integer}
            outputs: {x: integer}
          keep:
            type: echo
            inputs: {f: blob, d: directory}
            outputs: {f: blob, d: directory}
        workflows:
          w:
            inputs: {x: integer, note: {type: string, default: n}}
            outputs: {x: {type: integer, from: $s.x}}
            nodes: [{id: s, task: square, inputs: {x: $inputs.x}}]
          sleepy:
            inputs: {x: integer}
            outputs: {x: {type: integer, from: $s.x}}
            nodes: [{id: s, task: slow, inputs: {x: $inputs.x}}]
          chain:
            inputs: {x: integer}
            outputs: {x: {type: integer, from: $b.x}}
            nodes:
              - {id: a, task: square, inputs: {x: $inputs.x}}
              - {id: b, task: square, inputs: {x: $a.x}}
          files:
            inputs: {f: blob, d: directory}
            outputs: {f: {type: blob, from: $k.f}}
            nodes: [{id: k, task: keep, inputs: {f: $inputs.f, d: $inputs.d}}]
        launch_plans:
          daily:
            workflow: w
            defaults: {x: 4}
            fixed: {note: scheduled}
        """

    /// `projects`: created and given the spec; `tokens`: name -> (project list, role), made with
    /// `aloft tokens create`, their secrets in `secrets`.
    private(set) var secrets: [String: String] = [:]
    var secretValues: [String] { Array(secrets.values) }

    /// `serveArguments`: more options for `aloft serve` (`--workers`); `environment`: more variables for it
    /// (an S3 blob store's credentials).
    init(
        projects: [String], tokens: [String: ([String], String)], serveArguments: [String] = [],
        environment: [String: String] = [:]
    ) throws {
        dir = try TemporaryDirectory.make("aloft-serve")
        try ServerFixture.spec.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        for p in projects {
            _ = try Self.cli(["projects", "create", p], dir)
            _ = try Self.cli(["register", "spec.yaml", "--version", "v1", "--project", p], dir)
        }
        var made: [String: String] = [:]
        for (name, (ps, role)) in tokens {
            // ["*"]: an all-projects (operator) token.
            let scope = ps == ["*"] ? ["--all-projects"] : ps.flatMap { ["--project", $0] }
            let out = try Self.cli(["tokens", "create", "--role", role] + scope, dir)
            made[name] = out.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        secrets = made
        (process, url) = try Self.start(dir, serveArguments, environment)
    }

    /// Runs `aloft ARGS` in the fixture's directory; its stdout, or a thrown error with everything it said.
    @discardableResult static func cli(_ args: [String], _ dir: String) throws -> String {
        let r = try TestProcess.run(aloft, args, cwd: dir, environment: ["HOME": dir, "PATH": "/usr/bin:/bin"])
        guard r.succeeded else { throw FixtureError("aloft \(args.joined(separator: " ")): \(r)") }
        return r.stdout
    }

    /// Starts `aloft serve` in `dir` with `arguments`; `environment` goes over HOME=dir and PATH=/usr/bin:/bin.
    static func start(
        _ dir: String, _ arguments: [String], _ environment: [String: String]
    ) throws -> (Process, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: aloft)
        p.arguments = ["serve", "--address", "127.0.0.1:0"] + arguments
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = ["HOME": dir, "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let out = Pipe()
        p.standardOutput = out
        _ = FileManager.default.createFile(atPath: dir + "/serve-stderr.log", contents: nil)
        p.standardError = FileHandle(forWritingAtPath: dir + "/serve-stderr.log")
        p.standardInput = FileHandle.nullDevice
        try p.run()
        var text = Data()
        while !text.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += chunk
        }
        let line = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("listening on http://") || line.hasPrefix("listening on https://") else {
            p.terminate()
            let log = (try? String(contentsOfFile: dir + "/serve-stderr.log", encoding: .utf8)) ?? ""
            throw FixtureError("aloft serve did not start (stdout \"\(line)\"): \(log)")
        }
        return (p, String(line.dropFirst("listening on ".count)))
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    var serverLog: String { (try? String(contentsOfFile: dir + "/serve-stderr.log", encoding: .utf8)) ?? "" }

    struct Answer {
        let status: Int
        let body: [UInt8]
        let contentType: String?
        var location: String? = nil
        var setCookie: String? = nil
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSON { (try? JSONParser.parse(body)) ?? .null }
        /// The error message of a JSON error answer.
        var message: String { json["error"]?["message"]?.stringValue ?? "" }
    }

    /// One request as token `token` (a name given to init, or nil for none).
    func call(_ method: String, _ path: String, token: String?, body: String? = nil) throws -> Answer {
        var headers: [(name: String, value: String)] = []
        if let token { headers.append(("Authorization", "Bearer " + (secrets[token] ?? token))) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return try send(HTTPRequest(method, url + path, headers: headers, body: Array((body ?? "").utf8)))
    }

    /// A console page with its session cookie.
    func page(_ path: String, cookie: String) throws -> Answer {
        try send(HTTPRequest("GET", url + path, headers: [("Cookie", cookie)]))
    }

    /// A console form POST (application/x-www-form-urlencoded).
    func form(_ path: String, _ body: String, cookie: String? = nil) throws -> Answer {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/x-www-form-urlencoded")]
        if let cookie { headers.append(("Cookie", cookie)) }
        return try send(HTTPRequest("POST", url + path, headers: headers, body: Array(body.utf8)))
    }

    private func send(_ request: HTTPRequest) throws -> Answer {
        let r = try client.send(request)
        return Answer(
            status: r.status, body: r.body, contentType: r.header("Content-Type"), location: r.header("Location"),
            setCookie: r.header("Set-Cookie"))
    }

    /// Polls an execution until it is no longer queued or running (a hang is caught by the suite's time limit).
    func waitForEnd(_ id: String, token: String) throws -> JSON {
        while true {
            let e = try call("GET", "/api/v1/executions/\(id)", token: token).json
            if !["running", "queued"].contains(e["phase"]?.stringValue ?? "") { return e }
            usleep(50_000)
        }
    }

    /// Launches and returns the new id (the test fails with the answer when it is not 201).
    func launch(_ body: String, token: String) throws -> String {
        let r = try call("POST", "/api/v1/executions", token: token, body: body)
        guard r.status == 201, let id = r.json["id"]?.stringValue else {
            throw FixtureError("launch \(body): \(r.status) \(r.text)")
        }
        return id
    }
}
