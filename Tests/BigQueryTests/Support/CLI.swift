import AloftEngine
import AloftTestSupport
import Foundation

/// Runs the `aloft` executable SwiftPM built, as a user would (for the kill-and-resume test).
enum CLI {
    typealias Result = TestProcess.Ended

    static var aloft: String { Fixtures.buildDirectory + "/aloft" }

    static func environment(_ cwd: String, _ env: [String: String]) -> [String: String] {
        ["HOME": cwd, "PATH": "/usr/bin:/bin"].merging(env) { $1 }
    }

    /// Runs `aloft ARGS` to its end (both pipes drained at once), or kills it after `timeout` seconds (a
    /// test's time limit cannot stop a call that blocks, so a hung `aloft` must be stopped here).
    static func run(_ args: [String], cwd: String, env: [String: String] = [:], timeout: Double = 120) throws -> Result
    {
        try TestProcess.run(
            aloft, args, cwd: cwd, environment: environment(cwd, env), limit: .milliseconds(Int(timeout * 1000)))
    }

    /// `aloft ARGS` in the background; its stderr goes to cwd/aloft-stderr.log.
    static func start(_ args: [String], cwd: String, env: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: aloft)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.environment = environment(cwd, env)
        p.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: cwd + "/aloft-stderr.log", contents: nil)
        p.standardError = FileHandle(forWritingAtPath: cwd + "/aloft-stderr.log")
        try p.run()
        return p
    }

    /// Waits until node `node` of the newest execution in cwd's store has a resource state and `ready()`
    /// holds, then SIGKILLs the process. The execution id and the node's state, or nil if that never happened.
    static func killAfterSubmit(
        _ process: Process, dir: String, node: String = "a", timeout: TimeInterval = 60,
        ready: () -> Bool
    ) -> (id: String, state: [UInt8])? {
        var found: (String, [UInt8])?
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if ready(), let store = try? SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite"),
                let e = try? store.executions(project: nil, domain: nil, limit: 1).first,
                let state = (try? store.nodes(execution: e.id))?.first(where: { $0.node == node })?.resourceState
            {
                found = (e.id, state)
                break
            }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return found
    }
}
