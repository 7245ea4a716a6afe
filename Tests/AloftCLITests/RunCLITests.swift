import AloftTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct RunCLITests {
    static let examples = CLI.repoRoot + "/examples/workflows"

    func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "aloft-run-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Progress into a pipe is held for up to 50 ms, so a burst of lines is one write
    /// (StandardStreams.writeOutputSoon): a line still arrives while the run goes on, not at its end.
    @Test func progressIntoAPipeArrivesWhileTheRunGoesOn() throws {
        let dir = try scratch()
        try """
        tasks:
          t:
            type: container
            container:
              command: [sh, -c, "i=0; while [ ! -f \(dir)/go ]; do sleep 0.05; i=$((i+1)); [ $i -lt 400 ] || { touch \(dir)/gave-up; exit 0; }; done"]
        workflows:
          w: {nodes: [{id: a, task: t}]}
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let out = Pipe()
        let p = try CLI.start(["run", "spec.yaml"], cwd: dir, capture: out)
        var seen = ""
        while !seen.contains("  running    a\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // aloft exited
            seen += String(decoding: chunk, as: UTF8.self)
        }
        // Seen while the task still waits for us (it gives up after 20 s, and only then could aloft end).
        let gaveUp = FileManager.default.fileExists(atPath: dir + "/gave-up")
        #expect(seen.contains("  running    a\n") && !gaveUp, "the line came only at the end: \(seen)")
        _ = FileManager.default.createFile(atPath: dir + "/go", contents: nil)
        seen += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 && seen.contains("  succeeded  a\n"), "\(seen)")
    }

    @Test func runPrintsPlainProgressAndOutputsThenShowsTheExecution() throws {
        let dir = try scratch()
        #expect(try CLI.run(["projects", "create", "demo"], cwd: dir).status == 0)
        let r = try CLI.run(["run", Self.examples + "/hello.yaml", "-i", "name=Aloft", "--project", "demo"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("  running    first\n"))
        #expect(r.stdout.contains("  succeeded  second\n"))
        // Each progress line starts with the seconds since the run began, as `%7.2fs` writes them ("   0.01s").
        let progress = r.stdout.split(separator: "\n").filter {
            $0.contains("  running  ") || $0.contains("  succeeded  ")
        }
        #expect(progress.count == 4, "\(r.stdout)")
        for line in progress {
            #expect(
                line.prefix(8).wholeMatch(of: /\ *[0-9]+\.[0-9][0-9]s/) != nil && line.prefix(8).count == 8, "\(line)")
        }
        #expect(r.stdout.hasSuffix("  greeting = \"Aloft\"\n"))
        let list = try CLI.run(["executions", "list", "--project", "demo"], cwd: dir)
        let id = try #require(
            list.stdout.split(separator: "\n").dropFirst().first?.split(separator: " ").first.map(String.init))
        let show = try CLI.run(["executions", "show", id], cwd: dir)
        #expect(show.stdout.contains("execution \(id)  succeeded  demo/development  workflow hello"))
        #expect(show.stdout.contains("outputs: greeting = \"Aloft\""))
        let lineage = try CLI.run(["lineage", id + "/second"], cwd: dir)
        #expect(lineage.stdout.contains("message <- \(id)/first.message"))
    }

    @Test func badInputsAndAFailingWorkflowUseTheDocumentedExitCodes() throws {
        let dir = try scratch()
        let bad = try CLI.run(
            ["run", Self.examples + "/node-kinds.yaml", "--workflow", "node_kinds", "-i", "threshold=high"], cwd: dir)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("-i threshold: expected a value of type float, found the string \"high\""))
        let failing = try CLI.run(
            ["run", Self.examples + "/node-kinds.yaml", "--workflow", "node_kinds", "-i", "threshold=-1"], cwd: dir)
        #expect(failing.status == 2)
        #expect(failing.stdout.contains("decide: threshold must not be negative"))
        let missing = try CLI.run(["run", Self.examples + "/node-kinds.yaml", "--workflow", "weigh"], cwd: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("missing input: value (float); give them with -i name=value"))
    }

    @Test func onATerminalTheStatusLineIsRedrawnInPlace() throws {
        let dir = try scratch()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qc", "\(CLI.buildDirectory)/aloft run \(Self.examples)/hello.yaml", "/dev/null"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = ["HOME": dir, "PATH": "/usr/bin:/bin", "TERM": "xterm"]
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(text.contains("\r\u{1B}[2K0 running · 2 done · 0 cached · 0 failed"))
        #expect(!text.contains("  running    first"))  // no per-event lines on a terminal
        #expect(text.contains("greeting = \"world\""))
    }
}

@Suite(.timeLimit(.minutes(5))) struct CacheAndAbortCLITests {
    @Test func cacheListAndClear() throws {
        let dir = NSTemporaryDirectory() + "aloft-cachecli-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let spec = RunCLITests.examples + "/node-kinds.yaml"
        #expect(try CLI.run(["run", spec, "--workflow", "node_kinds"], cwd: dir).status == 0)
        let listed = try CLI.run(["cache", "list", "--task", "score"], cwd: dir)
        #expect(listed.stdout.split(separator: "\n").count == 1 + 4)  // header + three map items + weighed
        #expect(listed.stdout.contains("default/development  score"))
        let again = try CLI.run(["run", spec, "--workflow", "node_kinds"], cwd: dir)
        #expect(again.stdout.contains("(cached)"))
        #expect(try CLI.run(["cache", "clear"], cwd: dir).status == 1)
        #expect(try CLI.run(["cache", "clear", "--task", "score"], cwd: dir).stdout == "cleared 4 cache entries\n")
        let fresh = try CLI.run(["run", spec, "--workflow", "node_kinds"], cwd: dir)
        #expect(!fresh.stdout.contains("scores[0] (cached)"))
    }

    @Test func executionsAbortStopsARunInAnotherProcess() throws {
        let s = try CrashResumeTests.setup(delayMs: 60_000)
        let p = try CLI.start(["run", "chain.yaml"], cwd: s.dir)
        while CrashResumeTests.journal(s).isEmpty { usleep(2000) }
        let list = try CLI.run(["executions", "list"], cwd: s.dir, env: ["HOME": s.dir])
        let id = try #require(
            list.stdout.split(separator: "\n").dropFirst().first?.split(separator: " ").first.map(String.init))
        let abort = try CLI.run(["executions", "abort", id], cwd: s.dir, env: ["HOME": s.dir])
        #expect(abort.status == 0)
        p.waitUntilExit()
        #expect(p.terminationStatus == 3)
        let show = try CLI.run(["executions", "show", id], cwd: s.dir, env: ["HOME": s.dir])
        #expect(show.stdout.contains("execution \(id)  aborted"))
        #expect(
            try CLI.run(["executions", "abort", id], cwd: s.dir, env: ["HOME": s.dir]).stderr.contains(
                "is already aborted"))
    }
}

/// Issue 15, defect 10: a repeated `-i name=...` is an error, not a silent choice of the last value.
@Suite(.timeLimit(.minutes(5))) struct RepeatedInputTests {
    @Test func anInputGivenTwiceIsRefused() throws {
        let r = try CLI.run(
            ["run", CLI.repoRoot + "/examples/workflows/hello.yaml", "-i", "name=a", "-i", "name=b"],
            cwd: NSTemporaryDirectory())
        #expect(r.status == 1)
        #expect(r.stderr.contains("-i name is given twice (name=a and name=b); give each input once"), "\(r.stderr)")
    }
}
