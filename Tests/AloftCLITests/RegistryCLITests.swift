import AloftTestSupport
import Foundation
import Testing

/// `aloft projects`, `register`, `get`, `launch`, `relaunch` and `scheduler` as a user runs them, on the
/// built-in echo plugin.
@Suite(.timeLimit(.minutes(5))) struct RegistryCLITests {
    static let spec = """
        version: 1
        tasks:
          square:
            type: echo
            inputs: {x: integer}
            outputs: {x: integer}
            cache: {version: "1"}
        workflows:
          w:
            inputs: {x: integer, note: {type: string, default: n}}
            outputs: {x: {type: integer, from: $s.x}}
            nodes: [{id: s, task: square, inputs: {x: $inputs.x}}]
        launch_plans:
          daily:
            workflow: w
            defaults: {x: 4}
            fixed: {note: scheduled}
            labels: {team: ml}
            schedule: "0 2 * * *"
        """

    func scratch(_ yaml: String = RegistryCLITests.spec) throws -> String {
        let dir = NSTemporaryDirectory() + "aloft-registry-cli-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try yaml.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    func ok(_ args: [String], _ dir: String) throws -> String {
        let r = try CLI.run(args, cwd: dir)
        #expect(r.status == 0, "aloft \(args.joined(separator: " ")): \(r.stderr)")
        return r.stdout
    }

    @Test func registerGetAndLaunchWithinAProject() throws {
        let dir = try scratch()
        #expect(
            try ok(["projects", "create", "ml", "--description", "ML team"], dir)
                == "project ml created; domains: development, staging, production\n")
        #expect(try ok(["projects", "list"], dir).contains("ml       development,staging,production  ML team"))
        let reg = try ok(["register", "spec.yaml", "--version", "v1", "--project", "ml"], dir)
        #expect(reg.hasPrefix("ml/development version v1: 3 registered, 0 unchanged\n"))
        #expect(
            try ok(["register", "spec.yaml", "--version", "v1", "--project", "ml"], dir).hasPrefix(
                "ml/development version v1: 0 registered, 3 unchanged"))

        let list = try ok(["get", "launchplans", "--project", "ml"], dir)
        #expect(list.contains("daily  v1") && list.contains("0 2 * * *"))
        let shown = try ok(["get", "launchplans", "daily", "--version", "v1", "--project", "ml"], dir)
        #expect(shown.contains("fixed:    note = \"scheduled\""))
        #expect(shown.contains("labels:   team=ml"))

        let launched = try ok(["launch", "daily", "-i", "x=6", "--project", "ml"], dir)
        #expect(launched.contains("launchplan daily@v1"))
        #expect(launched.hasSuffix("  x = 6\n"))
        let fixed = try CLI.run(["launch", "daily", "-i", "note=mine", "--project", "ml"], cwd: dir)
        #expect(fixed.status == 1)
        #expect(fixed.stderr.contains("input \"note\" is fixed by launch plan daily to \"scheduled\""))
        let task = try ok(["launch", "square", "--kind", "task", "-i", "x=3", "--project", "ml"], dir)
        #expect(task.contains("task square@v1") && task.hasSuffix("  x = 3\n"))
        let id = try #require(launched.split(separator: " ").dropFirst().first.map(String.init))
        let show = try ok(["executions", "show", id], dir)
        #expect(show.contains("launched from: launchplan daily@v1"))
        #expect(show.contains("labels:  team=ml"))
    }

    @Test func aChangedVersionIsRefusedSayingWhatDiffersAndNothingIsRegistered() throws {
        let dir = try scratch()
        _ = try ok(["register", "spec.yaml", "--version", "v1"], dir)
        try Self.spec.replacingOccurrences(of: "default: n}", with: "default: m}").write(
            toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let refused = try CLI.run(["register", "spec.yaml", "--version", "v1"], cwd: dir)
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "nothing registered: versions are immutable; register the change under a new --version"))
        #expect(
            refused.stderr.contains(
                "workflow w@v1 is already registered with other content:\n    workflows.w.defaults.note.string: \"n\" -> \"m\""
            ))
        #expect(!refused.stderr.contains("task square@v1"))
        #expect(try ok(["get", "workflows", "w"], dir).split(separator: "\n").count == 2)  // header + v1
        let hashed = try ok(["register", "spec.yaml"], dir)
        #expect(
            hashed.range(
                of: #"^default/development version [0-9a-f]{12}: 3 registered, 0 unchanged"#,
                options: .regularExpression) != nil)
    }

    @Test func aProjectCannotSeeOrLaunchAnothersEntities() throws {
        let dir = try scratch()
        _ = try ok(["projects", "create", "a"], dir)
        _ = try ok(["projects", "create", "b", "--domain", "dev", "--domain", "prod"], dir)
        _ = try ok(["register", "spec.yaml", "--version", "1", "--project", "b", "--domain", "prod"], dir)
        #expect(try ok(["get", "workflows", "--project", "a"], dir) == "NAME  NEWEST VERSION  VERSIONS  REGISTERED\n")
        let launch = try CLI.run(["launch", "w", "-i", "x=1", "--project", "a"], cwd: dir)
        #expect(launch.status == 1)
        #expect(
            launch.stderr.contains("nothing named \"w\" (launchplan, workflow, task) is registered in a/development"))
        let domain = try CLI.run(["launch", "w", "--project", "b"], cwd: dir)
        #expect(domain.stderr.contains("project b has no domain \"development\"; its domains: dev, prod"))
        let noProject = try CLI.run(["run", "spec.yaml", "-i", "x=1", "--project", "c"], cwd: dir)
        #expect(noProject.status == 1)
        #expect(
            noProject.stderr.contains(
                "no project \"c\" (projects: a, b, default); create it with `aloft projects create c`"))
        // b's executions are listed in b only.
        _ = try ok(["launch", "w", "-i", "x=1", "--project", "b", "--domain", "prod"], dir)
        #expect(try ok(["executions", "list", "--project", "a"], dir).split(separator: "\n").count == 1)
        #expect(try ok(["executions", "list", "--project", "b"], dir).split(separator: "\n").count == 2)
    }

    @Test func aRelaunchRunsTheSameVersionWithTheSameInputsAndHitsTheCache() throws {
        let dir = try scratch()
        _ = try ok(["register", "spec.yaml", "--version", "v1"], dir)
        let first = try ok(["launch", "w", "-i", "x=9"], dir)
        #expect(first.contains("succeeded  s\n"))
        let id = try #require(first.split(separator: " ").dropFirst().first.map(String.init))
        // A newer version of the workflow does not change what the relaunch runs.
        try Self.spec.replacingOccurrences(of: "from: $s.x}}", with: "from: $s.x}, y: {type: integer, from: $s.x}}")
            .write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        _ = try ok(["register", "spec.yaml", "--version", "v2"], dir)
        let again = try ok(["relaunch", id], dir)
        #expect(again.contains("relaunches \(id)"))
        #expect(again.contains("cached     s (outputs of \(id)/s"))
        #expect(again.hasSuffix("  x = 9\n"))
        #expect(!again.contains("y = "))
        let newID = try #require(again.split(separator: " ").dropFirst().first.map(String.init))
        #expect(try ok(["executions", "show", newID], dir).contains("launched from: relaunch of \(id)"))
    }

    @Test func theSchedulerRunsTheLatestDueFireOnceAndReportsMissedOnes() throws {
        let dir = try scratch()
        let registered = Date()
        _ = try ok(["register", "spec.yaml", "--version", "v1"], dir)
        // The third fire of the plan's schedule (02:00 UTC) after registering: two missed, the third runs.
        // (Counting "three days later" from the date alone failed between 00:00 and 02:00 UTC, and counting
        // from 03:00, not the schedule's hour, between 02:00 and 03:00.)
        var day = Calendar(identifier: .gregorian)
        day.timeZone = TimeZone(identifier: "UTC")!
        var at = day.date(bySettingHour: 2, minute: 0, second: 0, of: registered)!
        if at <= registered { at.addTimeInterval(86_400) }
        at.addTimeInterval(2 * 86_400)
        let stamp = ISO8601DateFormatter().string(from: at)
        let out = try ok(["scheduler", "--once", "--now", stamp], dir)
        let missed = out.split(separator: "\n").filter {
            $0.hasPrefix("missed: launch plan daily@v1 (default/development)")
        }
        #expect(missed.count == 2, "\(out)")
        #expect(out.contains("launching sx-"))
        #expect(out.contains("succeeded: sx-"))
        // A second scheduler at the same instant (a restart) launches nothing.
        let again = try ok(["scheduler", "--once", "--now", stamp], dir)
        #expect(!again.contains("launching"), "\(again)")
        let executions = try ok(["executions", "list"], dir).split(separator: "\n").filter { $0.hasPrefix("sx-") }
        #expect(executions.count == 1)
        let id = String(executions[0].split(separator: " ")[0])
        let show = try ok(["executions", "show", id], dir)
        #expect(show.contains("launched from: schedule daily@v1 at "))
        #expect(show.contains("note = \"scheduled\"") && show.contains("x = 4"))
    }

    @Test func aSecondSchedulerIsRefusedWhileTheFirstLivesAndTakesOverWhenItDied() throws {
        let dir = try scratch()
        _ = try ok(["register", "spec.yaml", "--version", "v1"], dir)
        let out = Pipe()
        let first = try CLI.start(["scheduler", "--interval", "0.2"], cwd: dir, capture: out)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        // It says so once it holds the lease.
        var said = ""
        while !said.contains("looking at the clock") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said += String(decoding: chunk, as: UTF8.self)
        }
        #expect(said.contains("scheduler pid \(first.processIdentifier): looking at the clock every 0.2 s"), "\(said)")
        let second = try CLI.run(["scheduler", "--once"], cwd: dir)
        #expect(second.status != 0)
        #expect(
            second.stderr.contains("another scheduler runs on this store (scheduler pid \(first.processIdentifier) on ")
        )
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let after = try CLI.run(["scheduler", "--once"], cwd: dir)
        #expect(after.status == 0, "\(after.stderr)")
    }
}
