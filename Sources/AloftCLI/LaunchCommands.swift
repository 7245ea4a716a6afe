import AloftCommandLine
import AloftCompiler
import AloftEngine
import AloftWire
import ArgumentParser
import FoundationEssentials
import Glibc
import PluginHost

struct LaunchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Run a registered launch plan, workflow or task of a project and domain.",
        discussion: """
            NAME is looked up among launch plans, then workflows, then tasks (--kind picks one); without @VERSION \
            the newest version runs. A launch plan's defaults may be overridden with -i, its fixed inputs not. \
            Exit codes as for `aloft run`.
            """)

    @Argument(help: "NAME or NAME@VERSION.") var target: String
    @Option(help: "launchplan, workflow or task (default: the first kind that has NAME).") var kind: String?
    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var scope: ScopeOptions
    @Flag(help: "Do not reuse cached outputs; compute and replace them.") var overwriteCache = false
    @Flag(help: "Queue the execution for an `aloft worker` and print its id instead of running it here.")
    var detach = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var host: HostOptions

    func run() async throws {
        let (name, version) = Self.split(target)
        let entityKind: EntityKind?
        if let kind {
            guard
                let k = EntityKind(
                    rawValue: kind.replacing("-", with: "").replacing("_", with: ""))
            else {
                throw CLIError("--kind \(kind): expected launchplan, workflow or task")
            }
            entityKind = k
        } else {
            entityKind = nil
        }
        let (store, blobs) = try storeOptions.open()
        let launchable: Launchable
        let inputs: LiteralMap
        do {
            launchable = try Launcher(registry: store).resolve(
                name, version: version, kind: entityKind, project: scope.project, domain: scope.domain)
            let provided = Set(launchable.launchPlan.map { Array($0.defaults.keys) + Array($0.fixed.keys) } ?? [])
            let given = try inputOptions.parse(
                for: launchable.interface, of: launchable.label, defaults: launchable.defaults, provided: provided)
            inputs = try launchable.inputs(given: given)
        } catch let e as RegistryError { throw CLIError(e.message) }
        let pluginHost = try await HostStartup.start(
            host, taskTypes: SpecTaskTypes.of(launchable.plan),
            deferring: SpecTaskTypes.deferrable(launchable.plan, overwriteCache: overwriteCache))
        defer { pluginHost.shutdown() }
        try await EngineSession.start(
            launchable.plan, workflow: launchable.workflow, inputs: inputs, project: scope.project,
            domain: scope.domain,
            label: launchable.label, launchedFrom: launchable.label, labels: launchable.labels,
            overwriteCache: overwriteCache, detach: detach, host: pluginHost, store: store, blobs: blobs)
    }

    static func split(_ target: String) -> (String, String?) {
        guard let at = target.lastIndex(of: "@") else { return (target, nil) }
        return (String(target[..<at]), String(target[target.index(after: at)...]))
    }
}

struct RelaunchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relaunch",
        abstract:
            "Run an execution again as a new one: the same versions of everything, the same inputs, project and domain."
    )

    @Argument(help: "The execution id.") var execution: String
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var host: HostOptions

    func run() async throws {
        try await EngineSession.derive(from: execution, saying: "relaunches", storeOptions, host) {
            engine, old, id, progress in
            try await engine.relaunch(old, newID: id, events: progress.handle)
        }
    }
}

struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract:
            "Launch scheduled launch plans when they are due (the newest version of each plan is the active one).",
        discussion: """
            Each fire time runs once: it is recorded with its execution id before the execution starts, so a \
            restarted scheduler neither launches it again nor loses it (an execution it had started is resumed). \
            Fire times that passed while no scheduler ran are reported as missed and recorded; only the latest \
            one runs. Run one scheduler per store.
            """)

    @Flag(help: "Decide once, run what is due to the end, and exit.") var once = false
    @Option(help: "Seconds between looks at the clock.") var interval: Double = 15
    @Option(help: .hidden) var now: String?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var host: HostOptions

    func run() async throws {
        let clock: @Sendable () -> Date
        if let now {
            guard let fixed = try? Date(now, strategy: .iso8601) else {
                throw CLIError("--now \(now): expected an ISO-8601 time")
            }
            clock = { fixed }
        } else {
            clock = { Date() }
        }
        let (store, blobs) = try storeOptions.open()
        let pluginHost = try await HostStartup.start(host)
        defer { pluginHost.shutdown() }
        let engine = ExecutionEngine(host: pluginHost, store: store, blobs: blobs)
        let decider = ScheduleDecider(registry: store, store: store)
        let (once, interval) = (self.once, self.interval)
        let lease = SchedulerLease(store: store, seconds: max(60, interval * 4))
        try lease.take()
        defer { lease.release() }
        print("scheduler pid \(getpid()): " + (once ? "deciding once" : "looking at the clock every \(interval) s"))
        fflush(nil)
        // Executions run as child tasks, discarded as they end: a scheduler that runs for months holds only the
        // executions in flight.
        try await withThrowingDiscardingTaskGroup { group in
            // What a previous scheduler decided but did not finish.
            let (notStarted, interrupted) = try decider.unfinished()
            for id in interrupted {
                print("resuming \(id) (its scheduler stopped during the run)")
                group.addTask { Self.report(id, await Self.outcome { try await engine.resume(id) }) }
            }
            for launch in notStarted { group.addTask(operation: Self.start(launch, engine)) }
            repeat {
                let decision = decider.decide(now: clock())
                for m in decision.missed {
                    print(
                        "missed: launch plan \(m.launchPlan)@\(m.version) (\(m.project)/\(m.domain)) at \(RegistryCLI.date(m.fireTime)): no scheduler was running"
                    )
                }
                for p in decision.problems { print("problem: \(p)") }
                for launch in decision.launches { group.addTask(operation: Self.start(launch, engine)) }
                fflush(nil)
                if !once {
                    try await Task.sleep(for: .seconds(interval))
                    try lease.take()  // renewed every look at the clock
                }
            } while !once
        }
    }

    /// Announces a launch and returns the child task that runs it.
    private static func start(_ launch: ScheduledLaunch, _ engine: ExecutionEngine) -> @Sendable () async -> Void {
        let f = launch.fire
        let id = f.executionID!
        print("launching \(id): \(launch.origin) (\(f.project)/\(f.domain))")
        fflush(nil)
        return {
            let l = launch.launchable
            Self.report(
                id,
                await Self.outcome {
                    try await engine.run(
                        l.plan, workflow: l.workflow, inputs: try l.inputs(given: [:]), project: f.project,
                        domain: f.domain, id: id,
                        launchedFrom: launch.origin, labels: l.labels)
                })
        }
    }

    private static func outcome(_ body: () async throws -> ExecutionRecord) async -> Result<ExecutionRecord, any Error>
    {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    private static func report(_ id: String, _ r: Result<ExecutionRecord, any Error>) {
        switch r {
        case .success(let e): print("\(e.phase.rawValue): \(id)" + (e.error.map { ": \($0)" } ?? ""))
        case .failure(let error): print("failed: \(id): \(error)")
        }
        fflush(nil)
    }
}

/// One scheduler per store: a lease in the store (a cache reservation under a reserved key) that the running
/// scheduler renews. A second scheduler is refused while the holder lives; the lease of one that died on this
/// machine (its pid is gone) is taken over at once, of one elsewhere when it expires.
struct SchedulerLease: Sendable {
    let store: any MetadataStore
    let seconds: Double
    static let key = "aloft.scheduler"
    let owner = "scheduler pid \(getpid()) on \(ProcessInfo.processInfo.hostName)"

    func take() throws {
        let until = Date().addingTimeInterval(seconds)
        guard let holder = try store.reserve(key: Self.key, owner: owner, until: until) else { return }
        if Self.diedHere(holder) {
            try store.release(key: Self.key, owner: holder)
            if try store.reserve(key: Self.key, owner: owner, until: until) == nil { return }
        }
        throw CLIError("another scheduler runs on this store (\(holder)); run one scheduler per store")
    }

    func release() { try? store.release(key: Self.key, owner: owner) }

    private static func diedHere(_ holder: String) -> Bool {
        let words = holder.split(separator: " ")
        guard words.count == 5, words[0] == "scheduler", let pid = Int32(words[2]),
            words[4] == ProcessInfo.processInfo.hostName
        else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
