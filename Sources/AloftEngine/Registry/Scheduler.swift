import AloftCompiler
import AloftTyping
public import FoundationEssentials

/// A fire time the scheduler decided to launch, with what to run.
public struct ScheduledLaunch: Sendable {
    public var fire: ScheduleFire
    public var launchable: Launchable

    /// What the execution records as its origin.
    public var origin: String {
        "schedule \(fire.launchPlan)@\(fire.version) at \(fire.fireTime.ISO8601Format())"
    }
}

/// What one look at the clock decided.
public struct SchedulerDecision: Sendable {
    public var launches: [ScheduledLaunch] = []
    /// Fire times that passed while no scheduler ran: recorded and reported, never run late in a burst.
    public var missed: [ScheduleFire] = []
    /// Launch plans that could not be decided (unreadable, another scheduler took the fire), with why.
    public var problems: [String] = []
}

/// Decides which fires of scheduled launch plans are due. The newest registered version of each launch plan
/// is the active one (a newest version without a schedule turns the schedule off). Each fire is recorded,
/// with the id its execution will have, in the same transaction that moves the plan's cursor past it, and
/// only then launched: a scheduler restarted at any point neither launches a fire twice nor loses it
/// (`unfinished` hands back launched fires whose execution was not created or not finished).
public struct ScheduleDecider: Sendable {
    public let registry: any Registry
    public let store: any ExecutionStore

    public init(registry: any Registry, store: any ExecutionStore) {
        self.registry = registry
        self.store = store
    }

    public func decide(now: Date) -> SchedulerDecision {
        var decision = SchedulerDecision()
        let plans: [RegisteredEntity]
        do { plans = try registry.newestLaunchPlans() } catch {
            decision.problems.append("cannot read launch plans: \(error)")
            return decision
        }
        for e in plans {
            do {
                let l = try Launcher.launchable(e)
                guard let schedule = l.launchPlan?.schedule else { continue }
                // A version's first fires are those after it was registered: not every fire since the epoch, nor
                // those of a time when an older version had the schedule off or another schedule.
                let saved = try registry.scheduleCursor(project: e.project, domain: e.domain, launchPlan: e.name)
                let cursor = max(saved ?? e.createdAt, e.createdAt)
                let due = Self.fires(of: schedule, after: cursor, upTo: now)
                guard let last = due.last else { continue }
                let missed = due.dropLast().map {
                    ScheduleFire(
                        project: e.project, domain: e.domain, launchPlan: e.name, version: e.version, fireTime: $0,
                        outcome: .missed,
                        executionID: nil)
                }
                let launched = ScheduleFire(
                    project: e.project, domain: e.domain, launchPlan: e.name, version: e.version, fireTime: last,
                    outcome: .launched, executionID: Self.executionID(e, fire: last))
                try registry.recordFires(
                    missed + [launched], cursor: last, project: e.project, domain: e.domain, launchPlan: e.name)
                decision.missed += missed
                decision.launches.append(ScheduledLaunch(fire: launched, launchable: l))
            } catch {
                decision.problems.append("launch plan \(e.name)@\(e.version) in \(e.project)/\(e.domain): \(error)")
            }
        }
        return decision
    }

    /// Every fire in (start, end], however many (CronSchedule hands them out 10,000 at a time): the one
    /// launched is always the latest.
    static func fires(of schedule: CronSchedule, after start: Date, upTo end: Date) -> [Date] {
        var all: [Date] = []
        var from = start
        while true {
            let batch = schedule.fires(after: from, upTo: end)
            all += batch
            guard batch.count == 10_000, let last = batch.last else { return all }
            from = last
        }
    }

    /// Launched fires whose execution does not exist yet (the scheduler stopped between deciding and
    /// creating it) or is still running with nobody driving it (the scheduler stopped during the run).
    public func unfinished() throws -> (notStarted: [ScheduledLaunch], running: [String]) {
        var notStarted: [ScheduledLaunch] = []
        var running: [String] = []
        for f in try registry.unfinishedFires() {
            guard let id = f.executionID else { continue }
            if let e = try store.execution(id: id) {
                if e.phase == .running { running.append(id) }
            } else if let entity = try registry.entity(
                .launchPlan, project: f.project, domain: f.domain, name: f.launchPlan, version: f.version)
            {
                notStarted.append(ScheduledLaunch(fire: f, launchable: try Launcher.launchable(entity)))
            }
        }
        return (notStarted, running)
    }

    /// The same fire always gets the same execution id.
    static func executionID(_ e: RegisteredEntity, fire: Date) -> String {
        let stamp = ExecutionID.make(now: fire).split(separator: "-").dropFirst().prefix(2).joined(separator: "-")
        let hash = CanonicalHash.sha256(
            Array("\(e.project)/\(e.domain)/\(e.name)/\(Int64(fire.timeIntervalSince1970))".utf8)
        ).prefix(6)
        return "sx-\(stamp)-\(hash)"
    }
}
