import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// `aloft serve --workers`: executions launched, relaunched and recovered through the API are queued for a real
/// `aloft worker` on the same SQLite store and run there, not in the server; the API shows who drives them,
/// and aborts them queued or running on the worker.
@Suite(.timeLimit(.minutes(5)), .serialized) struct ServerWorkerTests {
    @Test func launchesRunOnAWorkerAndAbortReachesThem() throws {
        let s = try ServerFixture(
            projects: ["ml"], tokens: ["l": (["ml"], "launcher")], serveArguments: ["--workers"])
        defer { s.stop() }
        // No worker yet: a launch is stored queued, and stays so.
        let first = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "w", "inputs": {"x": 3}}"#, token: "l")
        #expect(try s.call("GET", "/api/v1/executions/\(first)", token: "l").json["phase"] == .string("queued"))
        // A queued execution is aborted at once, before any worker sees it.
        let dropped = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "w", "inputs": {"x": 1}}"#, token: "l")
        let abortQueued = try s.call("POST", "/api/v1/executions/\(dropped)/abort", token: "l")
        #expect(abortQueued.status == 200 && abortQueued.json["aborted"] == .bool(true), "\(abortQueued.text)")
        #expect(try s.call("GET", "/api/v1/executions/\(dropped)", token: "l").json["phase"] == .string("aborted"))

        let worker = try Self.startWorker(s.dir)
        defer {
            worker.terminate()
            worker.waitUntilExit()
        }
        let done = try s.waitForEnd(first, token: "l")
        #expect(done["phase"] == .string("succeeded"), "\(done) \(s.serverLog) \(Self.log(s.dir))")
        #expect(done["outputs"]?["x"] == .object(["integer": .integer(3)]))

        // A long one: the API names the worker as its driver, and its abort reaches the worker.
        let slow = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "sleepy", "inputs": {"x": 2}}"#, token: "l")
        var driver = ""
        while driver.isEmpty {
            driver = try s.call("GET", "/api/v1/executions/\(slow)", token: "l").json["driver"]?.stringValue ?? ""
            usleep(50_000)
        }
        #expect(driver.hasPrefix("aloft worker (pid \(worker.processIdentifier) "), "\(driver)")
        let view = try s.call("GET", "/api/v1/executions/\(slow)", token: "l").json
        #expect(view["status"] == .string("running"), "\(view)")
        #expect(try s.call("POST", "/api/v1/executions/\(slow)/abort", token: "l").status == 202)
        #expect(try s.waitForEnd(slow, token: "l")["phase"] == .string("aborted"), "\(Self.log(s.dir))")

        // A relaunch is queued too and runs on the worker.
        let relaunch = try s.call("POST", "/api/v1/executions/\(first)/relaunch", token: "l")
        let again = try #require(relaunch.json["id"]?.stringValue, "\(relaunch.text)")
        let rerun = try s.waitForEnd(again, token: "l")
        #expect(rerun["phase"] == .string("succeeded") && rerun["launchedFrom"] == .string("relaunch of \(first)"))

        // The worker ran all three; the server ran none.
        let log = Self.log(s.dir)
        for id in [first, slow, again] { #expect(log.contains("running \(id)"), "\(log)") }
        #expect(!log.contains(dropped))
    }

    /// A recovery is queued with the nodes it reuses, in one transaction: they are there before any worker
    /// claims it, and the worker runs only what did not succeed.
    @Test func aRecoveryIsQueuedWithItsReusedNodes() throws {
        let s = try ServerFixture(
            projects: ["ml"], tokens: ["l": (["ml"], "launcher")], serveArguments: ["--workers"])
        defer { s.stop() }
        try Self.tailSpec.write(toFile: s.dir + "/tail.yaml", atomically: true, encoding: .utf8)
        try ServerFixture.cli(["register", "tail.yaml", "--version", "v1", "--project", "ml"], s.dir)
        let worker = try Self.startWorker(s.dir)
        defer {
            worker.terminate()
            worker.waitUntilExit()
        }
        let id = try s.launch(
            #"{"project": "ml", "domain": "development", "name": "tail", "inputs": {"x": 5}}"#, token: "l")
        while try s.call("GET", "/api/v1/executions/\(id)/nodes/a", token: "l").json["phase"] != .string("succeeded") {
            usleep(50_000)
        }
        #expect(try s.call("POST", "/api/v1/executions/\(id)/abort", token: "l").status == 202)
        #expect(try s.waitForEnd(id, token: "l")["phase"] == .string("aborted"), "\(Self.log(s.dir))")

        let answer = try s.call("POST", "/api/v1/executions/\(id)/recover", token: "l")
        #expect(answer.status == 201, "\(answer.text)")
        let recovered = try #require(answer.json["id"]?.stringValue)
        // Its reused node is stored with it, whether or not the worker has claimed it yet.
        let a = try s.call("GET", "/api/v1/executions/\(recovered)/nodes/a", token: "l").json
        #expect(a["phase"] == .string("succeeded") && a["cachedFrom"] == .string("\(id)/a"), "\(a)")
        #expect(try s.call("GET", "/api/v1/executions/\(recovered)", token: "l").json["recoveredFrom"] == .string(id))
        var driver = ""
        while driver.isEmpty {
            driver =
                try s.call("GET", "/api/v1/executions/\(recovered)", token: "l").json["driver"]?.stringValue ?? ""
            usleep(50_000)
        }
        #expect(driver.hasPrefix("aloft worker (pid \(worker.processIdentifier) "), "\(driver)")
        #expect(try s.call("POST", "/api/v1/executions/\(recovered)/abort", token: "l").status == 202)
        #expect(try s.waitForEnd(recovered, token: "l")["phase"] == .string("aborted"))
        #expect(Self.log(s.dir).contains("running \(recovered)"), "\(Self.log(s.dir))")
    }

    /// A quick node, then a slow one (to abort after the first succeeded).
    static let tailSpec = """
        version: 1
        tasks:
          quick:
            type: echo
            inputs: {x: integer}
            outputs: {x: integer}
          long:
            type: echo
            config: {delay_ms: 60000}
            inputs: {x: integer}
            outputs: {x: integer}
        workflows:
          tail:
            inputs: {x: integer}
            outputs: {x: {type: integer, from: $b.x}}
            nodes:
              - {id: a, task: quick, inputs: {x: $inputs.x}}
              - {id: b, task: long, inputs: {x: $a.x}}
        """

    /// `aloft worker` in the fixture's directory (the same default store as the server), logging to files.
    static func startWorker(_ dir: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ServerFixture.aloft)
        p.arguments = ["worker"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = ["HOME": dir, "PATH": "/usr/bin:/bin"]
        _ = FileManager.default.createFile(atPath: dir + "/worker.log", contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: dir + "/worker.log")
        p.standardError = p.standardOutput
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    static func log(_ dir: String) -> String {
        (try? String(contentsOfFile: dir + "/worker.log", encoding: .utf8)) ?? ""
    }
}
