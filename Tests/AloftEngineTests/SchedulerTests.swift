import AloftCompiler
import AloftEngine
import AloftWire
import Foundation
import Testing

/// Cron launch plans on a fake clock: each fire decided once, missed fires reported, and a scheduler
/// restarted at any point neither launches a fire twice nor loses it.
@Suite struct SchedulerTests {
    static let spec = """
        tasks:
          t: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
        workflows:
          w:
            inputs: {x: integer}
            outputs: {x: {type: integer, from: $n.x}}
            nodes: [{id: n, task: t, inputs: {x: $inputs.x}}]
        launch_plans:
          every10:
            workflow: w
            fixed: {x: 1}
            schedule: "*/10 * * * *"
        """

    func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    func registered(
        _ yaml: String = SchedulerTests.spec, version: String, at time: Date, into store: any MetadataStore
    ) throws {
        let spec = try #require(Compiler().compile(text: yaml, path: "/virtual/spec.yaml").spec)
        _ = try Registrar(registry: store).register(
            spec, version: version, project: "default", domain: "development", now: time)
    }

    @Test(arguments: StoreKind.all) func eachFireIsDecidedOnceAndMissedFiresAreReportedNotRun(kind: StoreKind) throws {
        let store = try RegistryTests.store(kind)
        try registered(version: "v1", at: try at("2026-12-01T10:03:00Z"), into: store)
        let decider = ScheduleDecider(registry: store, store: store)

        // Nothing is due before the first fire after registration (10:10).
        #expect(decider.decide(now: try at("2026-12-01T10:09:59Z")).launches.isEmpty)
        let first = decider.decide(now: try at("2026-12-01T10:10:00Z"))
        #expect(
            first.launches.map { ISO8601DateFormatter().string(from: $0.fire.fireTime) } == ["2026-12-01T10:10:00Z"])
        #expect(first.missed.isEmpty)
        #expect(decider.decide(now: try at("2026-12-01T10:15:00Z")).launches.isEmpty)

        // Down from 10:15 to 10:47: 10:20 and 10:30 were missed, 10:40 runs (once, however often one looks).
        let late = decider.decide(now: try at("2026-12-01T10:47:00Z"))
        #expect(
            late.missed.map { ISO8601DateFormatter().string(from: $0.fireTime) } == [
                "2026-12-01T10:20:00Z", "2026-12-01T10:30:00Z",
            ])
        #expect(late.launches.map { ISO8601DateFormatter().string(from: $0.fire.fireTime) } == ["2026-12-01T10:40:00Z"])
        #expect(decider.decide(now: try at("2026-12-01T10:47:00Z")).launches.isEmpty)
        let recorded = try store.fires(project: "default", domain: "development", launchPlan: "every10", limit: 10)
        #expect(recorded.map(\.outcome) == [.launched, .missed, .missed, .launched])
        #expect(Set(recorded.compactMap(\.executionID)).count == 2)
    }

    @Test(arguments: StoreKind.all) func aRestartBetweenDecidingAndLaunchingLaunchesTheFireOnceAndResumesWhatRan(
        kind: StoreKind
    ) throws {
        let store = try RegistryTests.store(kind)
        try registered(version: "v1", at: try at("2026-12-01T10:03:00Z"), into: store)
        let decided = ScheduleDecider(registry: store, store: store).decide(now: try at("2026-12-01T10:11:00Z"))
        let launch = try #require(decided.launches.first)
        let id = try #require(launch.fire.executionID)
        // The scheduler dies here: the fire is recorded, its execution not created.

        let restarted = ScheduleDecider(registry: store, store: store)
        #expect(restarted.decide(now: try at("2026-12-01T10:12:00Z")).launches.isEmpty)
        let (notStarted, running) = try restarted.unfinished()
        #expect(notStarted.map(\.fire.executionID) == [id])
        #expect(running.isEmpty)
        #expect(notStarted.first?.launchable.label == "launchplan every10@v1")
        #expect(try notStarted.first?.launchable.inputs(given: [:]) == ["x": .integer(1)])

        // It is created (and dies again during the run): now it is to be resumed, not launched again.
        let l = try #require(notStarted.first).launchable
        try store.createExecution(
            ExecutionRecord(
                id: id, project: "default", domain: "development", workflow: l.workflow,
                spec: l.plan.canonicalBytes, inputs: ["x": .integer(1)]))
        let again = try ScheduleDecider(registry: store, store: store).unfinished()
        #expect(again.notStarted.isEmpty)
        #expect(again.running == [id])
        try store.finishExecution(id: id, phase: .succeeded, outputs: ["x": .integer(1)], error: nil)
        let done = try ScheduleDecider(registry: store, store: store).unfinished()
        #expect(done.notStarted.isEmpty && done.running.isEmpty)
        // The same fire always maps to the same execution id.
        #expect(
            try store.fires(project: "default", domain: "development", launchPlan: "every10", limit: 5).first?
                .executionID == id)
    }

    @Test(arguments: StoreKind.all) func theNewestVersionIsTheActiveScheduleAndOneWithoutAScheduleTurnsItOff(
        kind: StoreKind
    ) throws {
        let store = try RegistryTests.store(kind)
        try registered(version: "v1", at: try at("2026-12-01T10:03:00Z"), into: store)
        let hourly = Self.spec.replacingOccurrences(of: "*/10 * * * *", with: "@hourly")
        try registered(hourly, version: "v2", at: try at("2026-12-01T10:05:00Z"), into: store)
        let decider = ScheduleDecider(registry: store, store: store)
        let d = decider.decide(now: try at("2026-12-01T11:30:00Z"))
        #expect(
            d.launches.map { "\($0.fire.version) \(ISO8601DateFormatter().string(from: $0.fire.fireTime))" } == [
                "v2 2026-12-01T11:00:00Z"
            ])
        let off = Self.spec.replacingOccurrences(of: "\n    schedule: \"*/10 * * * *\"", with: "")
        #expect(off != Self.spec)
        try registered(off, version: "v3", at: try at("2026-12-01T11:31:00Z"), into: store)
        #expect(decider.decide(now: try at("2026-12-01T14:00:00Z")).launches.isEmpty)
        // Turned on again at 16:05: the fires of the hours it was off are neither missed nor launched.
        try registered(hourly, version: "v4", at: try at("2026-12-01T16:05:00Z"), into: store)
        #expect(decider.decide(now: try at("2026-12-01T16:30:00Z")).launches.isEmpty)
        let back = decider.decide(now: try at("2026-12-01T17:00:00Z"))
        #expect(back.missed.isEmpty)
        #expect(
            back.launches.map { "\($0.fire.version) \(ISO8601DateFormatter().string(from: $0.fire.fireTime))" } == [
                "v4 2026-12-01T17:00:00Z"
            ])
    }

    @Test(arguments: StoreKind.all) func afterALongOutageOnlyTheLatestFireRuns(kind: StoreKind) throws {
        let store = try RegistryTests.store(kind)
        let everyMinute = Self.spec.replacingOccurrences(of: "*/10 * * * *", with: "* * * * *")
        try registered(everyMinute, version: "v1", at: try at("2026-12-01T00:00:30Z"), into: store)
        // Eight days down: 11,520 fires, more than one batch of the cron iterator.
        let d = ScheduleDecider(registry: store, store: store).decide(now: try at("2026-12-09T00:00:30Z"))
        #expect(d.launches.map { ISO8601DateFormatter().string(from: $0.fire.fireTime) } == ["2026-12-09T00:00:00Z"])
        #expect(d.missed.count == 8 * 24 * 60 - 1)
        #expect(
            ScheduleDecider(registry: store, store: store).decide(now: try at("2026-12-09T00:00:45Z")).launches.isEmpty)
    }
}
