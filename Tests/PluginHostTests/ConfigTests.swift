import AloftTestSupport
import AloftWire
import Foundation
import LocatedYAML
import Testing

@testable import PluginHost

@Suite(.timeLimit(.minutes(5))) struct ConfigTests {
    @Test func readsEverySetting() throws {
        let yaml = """
            plugins:
              paths: [./plugins, /abs/dir]
              builtin: false
              enabled: [aloft.echo, example.c-echo]
              routes:
                echo: example.c-echo
              config:
                example.c-echo: {region: eu-west-1, retries: 3, nested: {on: true}}
              secrets:
                aloft.sagemaker: [aws-secret-key]
                example.c-echo: "*"
              call_budget_seconds: 2.5
              init_budget_seconds: 10
              threads: 8
              quarantine_after: 5
            secrets:
              dir: ~/secrets
            """
        let c = try HostConfiguration.parse(yaml, file: "/etc/aloft/aloft.yaml")
        #expect(c.pluginPaths == ["/etc/aloft/plugins", "/abs/dir"])
        #expect(c.searchBuiltin == false)
        #expect(c.enabled == ["aloft.echo", "example.c-echo"])
        #expect(c.routes == ["echo": "example.c-echo"])
        #expect(c.locations["plugins.routes.echo"]?.description == "/etc/aloft/aloft.yaml:6:5")
        #expect(
            JSONWriter.string(c.pluginConfig["example.c-echo"]!)
                == #"{"nested":{"on":true},"region":"eu-west-1","retries":3}"#)
        #expect(c.secretGrants == ["aloft.sagemaker": ["aws-secret-key"], "example.c-echo": ["*"]])
        #expect(c.callOptions.callBudget == .milliseconds(2500))
        #expect(c.callOptions.initBudget == .seconds(10))
        #expect(c.callOptions.threads == 8)
        #expect(c.callOptions.quarantineAfter == 5)
        #expect(c.secretsDirectory == NSString(string: "~/secrets").expandingTildeInPath)
    }

    @Test func isolationIsPerPluginWithADefaultAndLimits() throws {
        let c = try HostConfiguration.parse(
            """
            plugins:
              isolation:
                com.example.risky: process
                com.example.heavy: {runners: 2, address_space_mb: 512, open_files: 64, cpu_seconds: 600}
                aloft.echo: in-process
                "*": process
            """, file: "a.yaml")
        #expect(c.isolation(for: "com.example.risky") == IsolationSettings(mode: .process))
        #expect(
            c.isolation(for: "com.example.heavy")
                == IsolationSettings(
                    mode: .process, runners: 2,
                    limits: RunnerLimits(addressSpaceBytes: 512 << 20, openFiles: 64, cpuSeconds: 600)))
        #expect(c.isolation(for: "aloft.echo").mode == .inProcess)
        #expect(c.isolation(for: "anything.else").mode == .process)
        #expect(try HostConfiguration.parse("plugins: {}\n", file: "b.yaml").isolation(for: "x").mode == .inProcess)
    }

    @Test func quotasAreReadPerTaskType() throws {
        let c = try HostConfiguration.parse("quotas: {bigquery: 10, container: 2}\n", file: "a.yaml")
        #expect(c.quotas == ["bigquery": 10, "container": 2])
        #expect(try HostConfiguration.parse("plugins: {}\n", file: "b.yaml").quotas.isEmpty)
    }

    @Test(arguments: [
        (
            "plugins:\n  routs: {}\n",
            "a.yaml:2:3: unknown setting \"routs\" in plugins (known: builtin, call_budget_seconds, config, enabled, init_budget_seconds, isolation, paths, quarantine_after, routes, secrets, threads)"
        ),
        ("plugins:\n  threads: 0\n", "a.yaml:2:12: plugins.threads must be a whole number from 1 to 256"),
        ("quotas: {bigquery: 0}\n", "a.yaml:1:20: quotas.bigquery must be a whole number from 1 to 1000000"),
        ("plugins:\n  enabled: aloft.echo\n", "a.yaml:2:12: plugins.enabled must be a list, found string"),
        (
            "plugins:\n  config:\n    aloft.echo: 3\n",
            "a.yaml:3:17: plugins.config.aloft.echo must be a mapping, found integer"
        ),
        (
            "plugins:\n  routes: {echo: 1}\n",
            "a.yaml:2:18: plugins.routes.echo must be a non-empty string, found integer"
        ),
        (
            "plugins:\n  call_budget_seconds: -1\n",
            "a.yaml:2:24: plugins.call_budget_seconds must be a number of seconds greater than 0 and at most 86400"
        ),
        (
            "plugins: {a: 1\n",
            "a.yaml:2:1: not valid YAML: while parsing a flow mapping did not find expected ',' or '}'"
        ),
        ("plugins:\n  paths: []\n  paths: []\n", "a.yaml:3:3: duplicate key \"paths\" (first at line 2)"),
        ("- 1\n", "a.yaml:1:1: the config file must be a mapping, found list"),
        (
            "plugins:\n  isolation: {x: sandbox}\n",
            "a.yaml:2:18: plugins.isolation.x must be process or in-process, or a mapping with mode: process"
        ),
        (
            "plugins:\n  isolation: {x: {runners: 0}}\n",
            "a.yaml:2:28: plugins.isolation.x.runners must be a whole number from 1 to 64"
        ),
        (
            "plugins:\n  isolation: {x: {rss_mb: 5}}\n",
            "a.yaml:2:19: unknown setting \"rss_mb\" in plugins.isolation.x (known: address_space_mb, cpu_seconds, mode, open_files, runners)"
        ),
    ])
    func badSettingsNameFileLineAndCause(yaml: String, message: String) {
        do {
            _ = try HostConfiguration.parse(yaml, file: "a.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func emptyFileMeansDefaultsAndAMissingFileIsAClearError() throws {
        let c = try HostConfiguration.parse("", file: "aloft.yaml")
        #expect(c.routes.isEmpty && c.enabled == nil && c.searchBuiltin)
        do {
            _ = try HostConfiguration.load(explicitPath: "/nonexistent/aloft.yaml")
            Issue.record("missing file accepted")
        } catch {
            #expect(
                error.description
                    == "/nonexistent/aloft.yaml:0:0: cannot read the config file (missing or not readable)")
        }
    }

    @Test func pluginConfigReachesInit() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so"])
        try "plugins:\n  paths: [\(dir)]\n  builtin: false\n  config:\n    example.c-echo: {fail_init: from-yaml}\n"
            .write(toFile: "\(dir)/aloft.yaml", atomically: true, encoding: .utf8)
        let config = try HostConfiguration.load(explicitPath: nil, directory: dir)
        let host = await PluginHost.start(configuration: config, logger: Fixtures.quietLogger, environment: [:])
        defer { host.shutdown() }
        #expect(
            host.catalog.records.first?.refusal
                == .initFailed(code: "InitRefused", message: "refusing to start: \"from-yaml\""))
    }
}

@Suite(.timeLimit(.minutes(5))) struct TaskExecutionIDTests {
    func id(_ execution: String, _ node: String, _ attempt: Int, project: String = "p") -> String {
        TaskExecutionID.make(
            ExecutionIdentity(
                project: project, domain: "development", execution: execution, node: node, attempt: attempt))
    }

    @Test func deterministicSafeAndBounded() {
        let a = id("ex-20261125", "train_model", 0)
        #expect(a == id("ex-20261125", "train_model", 0))
        #expect(a.hasPrefix("ex-20261125-train-model-0-"))
        let long = id(String(repeating: "x", count: 200), "Node.With/Odd_Chars", 12)
        for s in [a, long, id("9starts-with-digit", "n", 0), id("---", "---", 0)] {
            #expect(s.count <= 63)
            #expect(s.first!.isLetter)
            #expect(s.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "-" })
            #expect(!s.contains("--"))
        }
    }

    /// The id as first defined (one string of the whole identity hashed, the readable part interpolated): the
    /// part-by-part construction must give the same ids, which plugins already use as external job names.
    @Test func theIdIsTheOneFirstDefined() {
        for (execution, node, attempt, project) in [
            ("ex-20261125", "train_model", 0, "p"),
            (String(repeating: "x", count: 200), "Node.With/Odd_Chars", 12, "q"),
            ("9starts", "n", 3, "p"), ("---", "---", 0, "p"), ("ex", "m[17]", 1, "a/b"), ("é", "ünï", 0, "p"),
            ("", "", 0, "p"), ("EX-Upper", "9node", 10, "p"), (String(repeating: "-", count: 70), "x", 2, "p"),
            ("ex-20261202-051150-74rabc", String(repeating: "n", count: 40) + "_end", 123, "proj"),
        ] {
            let identity = ExecutionIdentity(
                project: project, domain: "development", execution: execution, node: node, attempt: attempt)
            let full = "\(project)/development/\(execution)/\(node)/\(attempt)"
            let suffix = "-" + String(FNV1a.hex64(full.utf8).prefix(12))
            let readable = "\(execution)-\(node)-\(attempt)"
            let room = TaskExecutionID.maxLength - suffix.count
            #expect(TaskExecutionID.make(identity) == TaskExecutionID.head(readable, room: room) + suffix)
        }
    }

    @Test func distinctIdentitiesNeverShareAnId() {
        var seen = Set<String>()
        for project in ["p", "q"] {
            for attempt in 0..<3 {
                for node in ["a_b", "a-b", "a.b", "A_B"] { seen.insert(id("ex", node, attempt, project: project)) }
            }
        }
        #expect(seen.count == 2 * 3 * 4)
    }

    @Test func theASCIIPathMakesTheSameHeadAsTheGeneralOne() {
        let readables = [
            "ex-20261125-train_model-0", "9starts-with-digit-n-0", "------0", "---9x-n-1", "Node.With/Odd_Chars-12",
            String(repeating: "x", count: 200) + "-n-3", String(repeating: "-", count: 60) + "9" + "-n-0",
            String(repeating: "ab-", count: 30), "", "-", "a", "Z9", "map-item[17]-0",
        ]
        for readable in readables {
            for room in [0, 1, 2, 3, 5, 50] {
                #expect(
                    TaskExecutionID.asciiHead(readable, room: room) == TaskExecutionID.head(readable, room: room),
                    "\(readable) in \(room)")
            }
        }
        // Anything not ASCII takes the general path (lowercasing may turn it into ASCII: K is the Kelvin sign).
        #expect(TaskExecutionID.asciiHead("\u{212A}elvin-ünï-0", room: 50) == nil)
        #expect(TaskExecutionID.head("\u{212A}elvin-ünï-0", room: 50) == "kelvin-n-0")
    }
}
