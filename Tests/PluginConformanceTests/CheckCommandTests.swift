import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// `aloft plugins check FILE` through the built executable: the readable report, --json, the exit code.
@Suite(.timeLimit(.minutes(5))) struct CheckCommandTests {
    @Test
    func aConformingPluginPrintsPassForEveryCheckAndExitsZero() throws {
        let ended = try CheckProcess.aloft(["plugins", "check", Fixtures.compiled("c-echo")])
        #expect(ended.status == 0, "\(ended.stdout)\(ended.stderr)")
        #expect(
            ended.stdout.contains("plugin:      example.c-echo 1.0.0 (ABI 1.1), task types echo, sleep, c-echo-sync"))
        #expect(ended.stdout.contains("PASS  submit twice with one task execution id"))
        #expect(ended.stdout.contains("PASS  re-attach: poll a stored state from a fresh plugin instance"))
        #expect(ended.stdout.contains("PASS  32 tasks at once"))
        #expect(!ended.stdout.contains("FAIL"))
        #expect(ended.stdout.hasSuffix("PASSED: 23 passed, 0 failed\n"), "\(ended.stdout)")
    }

    @Test
    func aBrokenPluginFailsWithTheRuleAndItsSectionAndExitsOne() throws {
        let ended = try CheckProcess.aloft(["plugins", "check", ConformanceFixtures.compiled("NOT_IDEMPOTENT")])
        #expect(ended.status == 1, "\(ended.stdout)\(ended.stderr)")
        #expect(ended.stdout.contains("FAIL  submit twice with one task execution id"))
        #expect(ended.stdout.contains("rule: submit is idempotent per task_execution_id"))
        #expect(ended.stdout.contains("see:  docs/plugin-abi.md#rule-submit-idempotent"))
        #expect(ended.stdout.contains("FAILED: "))
    }

    @Test
    func jsonNamesEachCheckItsStatusAndRule() throws {
        let ended = try CheckProcess.aloft([
            "plugins", "check", "--json", "--budget-seconds", "1", ConformanceFixtures.compiled("HANG_POLL"),
        ])
        #expect(ended.status == 1, "\(ended.stdout)\(ended.stderr)")
        let json = try JSONParser.parse(ended.stdout)
        #expect(json["passed"] == .bool(false))
        #expect(json["plugin"]?["id"] == .string("fixture.conformance"))
        let checks = try #require(json["checks"]?.arrayValue)
        let budget = try #require(checks.first { $0["name"] == .string("every call returns within its budget") })
        #expect(budget["status"] == .string("fail"))
        #expect(budget["rule"]?["id"] == .string("call-budget"))
        #expect(budget["rule"]?["doc"] == .string("docs/plugin-abi.md#rule-call-budget"))
        #expect(budget["detail"]?.stringValue?.contains("did not return within 1.0 s") == true)
    }

    @Test
    func aPluginThatCrashesInACallFailsTheCheckWithoutTakingAloftDown() throws {
        let ended = try CheckProcess.aloft(["plugins", "check", ConformanceFixtures.compiled("FINALIZE_DOUBLE_FREE")])
        #expect(!ended.signalled, "\(ended.stderr)")
        #expect(ended.status == 1, "\(ended.stdout)\(ended.stderr)")
        #expect(ended.stdout.contains("calls:       in plugin runner processes"))
        #expect(ended.stdout.contains("FAIL  finalize twice"))
        #expect(ended.stdout.contains("see:  docs/plugin-abi.md#rule-no-crash"))
        #expect(
            ended.stdout.contains("PASS  32 tasks at once"), "the checks after the crash still ran:\n\(ended.stdout)")
    }

    @Test
    func aMissingFileIsAnErrorNamingIt() throws {
        let ended = try CheckProcess.aloft(["plugins", "check", "/nonexistent/libnothing.so"])
        #expect(ended.status == 1)
        #expect(ended.stderr.contains("/nonexistent/libnothing.so: no such file"), "\(ended.stderr)")
    }

    @Test
    func aSpecTaskIsCheckedWithItsInterfaceAndConfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-check-spec-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        version: 1
        tasks:
          greet:
            type: echo
            config: {delay_ms: 20}
            inputs:
              message: {type: string, default: hello from the spec}
            outputs:
              message: {type: string}
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let ended = try CheckProcess.aloft([
            "plugins", "check", "--spec", dir + "/spec.yaml", Fixtures.compiled("c-echo"),
        ])
        #expect(ended.status == 0, "\(ended.stdout)\(ended.stderr)")
        #expect(ended.stdout.contains("hello from the spec"), "\(ended.stdout)")
        #expect(!ended.stdout.contains("task type sleep"))
    }
}
