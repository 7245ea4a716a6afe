import AloftTestSupport
import Foundation
import PluginConformance
import Testing

/// Issue 16, deliverable 5: a plugin that breaks one rule fails the check of that rule, which names the rule
/// and its section of docs/plugin-abi.md.
@Suite(.serialized, .timeLimit(.minutes(6))) struct BrokenPluginsFailTests {
    func report(_ variant: String, budget: Duration = .seconds(5)) async throws -> ConformanceReport {
        try await ConformanceFixtures.check(ConformanceFixtures.compiled(variant), budget: budget)
    }

    func expectFailure(_ report: ConformanceReport, check name: String, rule: String, mentioning words: [String] = []) {
        #expect(!report.passed)
        guard let check = report.check(name) else {
            Issue.record("no check \"\(name)\" in:\n\(report.text)")
            return
        }
        #expect(check.status == .fail, "\(report.text)")
        #expect(check.rule.id == rule, "\(report.text)")
        #expect(check.rule.reference == "docs/plugin-abi.md#rule-\(rule)")
        for word in words { #expect(check.detail.contains(word), "\(check.detail)") }
        #expect(report.text.contains("see:  docs/plugin-abi.md#rule-\(rule)"))
    }

    @Test
    func aSubmitThatStartsASecondJobFailsSubmitIdempotency() async throws {
        let report = try await report("NOT_IDEMPOTENT")
        expectFailure(
            report, check: "submit twice with one task execution id", rule: "submit-idempotent",
            mentioning: ["ended differently", "second job"])
        #expect(report.failedRules == ["submit-idempotent"], "\(report.text)")
    }

    @Test
    func aJobKeptInMemoryFailsReattach() async throws {
        let report = try await report("NO_REATTACH")
        expectFailure(
            report, check: "re-attach: poll a stored state from a fresh plugin instance", rule: "reattach",
            mentioning: ["UnknownJob"])
        #expect(report.failedRules == ["reattach"], "\(report.text)")
    }

    @Test
    func anAbortThatRefusesAFinishedTaskFailsAbortIdempotency() async throws {
        let report = try await report("ABORT_NOT_IDEMPOTENT")
        expectFailure(report, check: "abort after completion", rule: "abort-idempotent", mentioning: ["NotRunning"])
        expectFailure(report, check: "abort before completion, twice", rule: "abort-idempotent")
        #expect(report.failedRules == ["abort-idempotent"], "\(report.text)")
    }

    @Test
    func outputsOfTheWrongTypeFailTheInterfaceCheck() async throws {
        let report = try await report("WRONG_OUTPUTS")
        expectFailure(
            report, check: "outputs match the interface", rule: "outputs-match",
            mentioning: ["x: expected integer, got string", "extra: not declared in the interface"])
        #expect(report.failedRules == ["outputs-match"], "\(report.text)")
    }

    @Test
    func tasksThatShareStateFailTheConcurrencyCheck() async throws {
        let report = try await report("NOT_THREAD_SAFE")
        expectFailure(report, check: "32 tasks at once", rule: "concurrent-tasks", mentioning: ["share state unsafely"])
        #expect(report.failedRules == ["concurrent-tasks"], "\(report.text)")
    }

    @Test
    func aPollThatNeverReturnsFailsAtTheCallBudget() async throws {
        let started = ContinuousClock.now
        let report = try await report("HANG_POLL", budget: .seconds(1))
        expectFailure(
            report, check: "every call returns within its budget", rule: "call-budget",
            mentioning: ["did not return within 1.0 s", "poll of "])
        expectFailure(
            report, check: "a task runs from submit to a terminal phase", rule: "call-budget",
            mentioning: ["PluginCallOverran"])
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test
    func aFinalizeThatDoubleFreesFailsNoCrashAndTheCheckSurvivesIt() async throws {
        let report = try await report("FINALIZE_DOUBLE_FREE")
        expectFailure(
            report, check: "finalize twice", rule: "no-crash",
            mentioning: ["the second finalize", "runner process", "died"])
        #expect(report.failedRules == ["no-crash"], "\(report.text)")
        #expect(report.isolated)
    }

    @Test
    func aSegfaultInSubmitFailsNoCrashWithTheSignal() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aloft-conformance-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let library = try Fixtures.compile(
            Fixtures.badSource, defines: ["CRASH_SUBMIT"], to: dir + "/libcrash_submit.so")
        let report = try await ConformanceFixtures.check(library)
        expectFailure(
            report, check: "a task runs from submit to a terminal phase", rule: "no-crash",
            mentioning: ["PluginRunnerDied", "SIGSEGV"])
    }

    @Test
    func aFileForAnotherABIMajorFailsTheVersionCheckAndRunsNoTask() async throws {
        let report = try await ConformanceFixtures.check(Fixtures.compiled("MAJOR_2"))
        expectFailure(
            report, check: "ABI version", rule: "abi-version", mentioning: ["abi-major-mismatch", "ABI major 2"])
        #expect(report.check("descriptor")?.status == .skip)
        #expect(!report.checks.contains { $0.taskType != nil })
    }

    @Test
    func aFileThatCrashesWhileLoadingIsReportedWithWhatItDid() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aloft-conformance-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let library = try Fixtures.compile(
            Fixtures.badSource, defines: ["CRASH_CONSTRUCTOR"], to: dir + "/libcrash_ctor.so")
        let report = try await ConformanceFixtures.check(library)
        expectFailure(
            report, check: "the file loads (first in a probe process)", rule: "loads",
            mentioning: ["crashed with SIGSEGV while loading the library", "in a probe process"])
    }
}
