import AloftTestSupport
import AloftWire
import Foundation
import PluginConformance
import PluginHost
import Testing

/// Issue 16, deliverable 5: the example plugins in C, Swift and Rust pass `aloft plugins check`.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ExamplePluginsPassTests {
    func expectPassed(_ report: ConformanceReport) {
        #expect(report.passed, "\(report.text)")
        #expect(report.count(.fail) == 0)
        #expect(report.checks.contains { $0.name == "every call returns within its budget" && $0.status == .pass })
    }

    @Test
    func theCEchoExamplePassesEveryCheckOnBothItsTaskTypes() async throws {
        let report = try await ConformanceFixtures.check(Fixtures.compiled("c-echo"))
        expectPassed(report)
        #expect(report.descriptor?.id == "example.c-echo")
        // Every lifecycle check ran on each task type.
        for type in ["echo", "sleep"] {
            let ran = report.checks.filter { $0.taskType == type }
            #expect(ran.count == 8, "\(report.text)")
            #expect(ran.allSatisfy { $0.status == .pass }, "\(report.text)")
        }
        // Its synchronous type gets the sync checks instead (ABI 1.1).
        let sync = report.checks.filter { $0.taskType == "c-echo-sync" }
        #expect(
            sync.map(\.name) == [
                "a synchronous task completes in one run_sync call", "run_sync twice with one task execution id",
            ], "\(report.text)")
        #expect(sync.allSatisfy { $0.status == .pass }, "\(report.text)")
    }

    @Test
    func theSwiftEchoPluginPasses() async throws {
        let report = try await ConformanceFixtures.check(Fixtures.swiftEcho)
        expectPassed(report)
        #expect(report.descriptor?.id == "aloft.echo")
    }

    @Test
    func theRustEchoExamplePasses() async throws {
        let library = try #require(
            ConformanceFixtures.rustEcho,
            "cargo (Rust) is needed to build examples/plugins/rust-echo; install it with rustup")
        let report = try await ConformanceFixtures.check(library)
        expectPassed(report)
        #expect(report.descriptor?.id == "example.rust-echo")
    }

    @Test
    func theConformingFixturePassesAndEveryCheckNamesItsRule() async throws {
        let report = try await ConformanceFixtures.check(ConformanceFixtures.compiled("CONFORMING"))
        expectPassed(report)
        let rules = Set(report.checks.map(\.rule.id))
        #expect(
            rules == [
                "loads", "abi-version", "descriptor", "init", "lifecycle", "outputs-match", "submit-idempotent",
                "reattach", "abort-idempotent", "finalize-idempotent", "concurrent-tasks", "call-budget",
            ])
    }

    @Test
    func aSpecTaskGivesTheInterfaceConfigAndInputDefaults() async throws {
        let template = TaskTemplate(
            name: "greet", version: "1", type: "echo",
            interface: TaskInterface(
                inputs: ["name": .string, "times": .integer, "tags": .list(.string)],
                outputs: ["name": .string, "tags": .list(.string)]),
            config: .object(["delay_ms": .integer(30)]))
        let subject = ConformanceSubject(
            template: template, givenInputs: ["name": .string("spec default")], origin: "task greet")
        let report = try await ConformanceFixtures.check(Fixtures.compiled("c-echo"), subjects: [subject])
        expectPassed(report)
        // Only the spec's task ran: the c-echo's "sleep" type was not given a task.
        #expect(Set(report.checks.compactMap(\.taskType)) == ["echo"])
        let outputs = try #require(report.check("outputs match the interface"))
        #expect(outputs.detail.contains("\"spec default\""), "\(outputs.detail)")
    }
}
