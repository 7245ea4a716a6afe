public import FoundationEssentials

/// What the registry holds: tasks, workflows and launch plans, each immutable once registered.
public enum EntityKind: String, Sendable, CaseIterable {
    case task, workflow
    case launchPlan = "launchplan"

    public var plural: String { self == .launchPlan ? "launch plans" : rawValue + "s" }
}

/// One version of a registered entity. `body` is canonical JSON: a task's compiled form, a workflow's plan
/// (itself and everything it calls, so a version runs the same forever), or a launch plan.
public struct RegisteredEntity: Sendable, Equatable {
    public var kind: EntityKind
    public var project: String
    public var domain: String
    public var name: String
    public var version: String
    /// SHA-256 of the body without source locations: equal content, equal digest.
    public var digest: String
    public var body: [UInt8]
    public var createdAt: Date

    public init(
        kind: EntityKind, project: String, domain: String, name: String, version: String, digest: String, body: [UInt8],
        createdAt: Date = Date()
    ) {
        self.kind = kind
        self.project = project
        self.domain = domain
        self.name = name
        self.version = version
        self.digest = digest
        self.body = body
        self.createdAt = createdAt
    }

    public var label: String { "\(kind.rawValue) \(name)@\(version)" }
}

/// A team's space: every entity and every execution belongs to one project and one of its domains.
public struct ProjectRecord: Sendable, Equatable {
    public static let defaultDomains = ["development", "staging", "production"]

    public var id: String
    public var description: String
    public var domains: [String]
    public var createdAt: Date

    public init(
        id: String, description: String = "", domains: [String] = ProjectRecord.defaultDomains, createdAt: Date = Date()
    ) {
        self.id = id
        self.description = description
        self.domains = domains
        self.createdAt = createdAt
    }
}

/// One fire time of a scheduled launch plan, as the scheduler decided it.
public struct ScheduleFire: Sendable, Equatable {
    public enum Outcome: String, Sendable { case launched, missed }

    public var project: String
    public var domain: String
    public var launchPlan: String
    public var version: String
    public var fireTime: Date
    public var outcome: Outcome
    /// For a launched fire: the execution's id, fixed before it is created (so a restart finds it).
    public var executionID: String?

    public init(
        project: String, domain: String, launchPlan: String, version: String, fireTime: Date, outcome: Outcome,
        executionID: String?
    ) {
        self.project = project
        self.domain = domain
        self.launchPlan = launchPlan
        self.version = version
        self.fireTime = fireTime
        self.outcome = outcome
        self.executionID = executionID
    }
}

/// Where projects and registered entities live (the metadata store). Every method commits before it returns.
public protocol RegistryStore: Sendable {
    /// Refuses a project that exists.
    func createProject(_ project: ProjectRecord) throws
    func projects() throws -> [ProjectRecord]
    func project(id: String) throws -> ProjectRecord?

    /// Inserts new versions, all or none (one transaction); an existing (kind, project, domain, name, version)
    /// is an error: the caller compares content first.
    func insert(_ entities: [RegisteredEntity]) throws
    /// One version, or the newest when `version` is nil.
    func entity(
        _ kind: EntityKind, project: String, domain: String, name: String, version: String?
    ) throws -> RegisteredEntity?
    /// Newest first; every name when `name` is nil.
    func entities(_ kind: EntityKind, project: String, domain: String, name: String?) throws -> [RegisteredEntity]
    /// The newest version of every launch plan in every project, for the scheduler.
    func newestLaunchPlans() throws -> [RegisteredEntity]
}

/// Where launch plans' schedules stand: each plan's cursor and the fires decided. Every method commits
/// before it returns.
public protocol ScheduleStore: Sendable {
    /// The instant after which a launch plan's fires are still to be decided (nil: never decided).
    func scheduleCursor(project: String, domain: String, launchPlan: String) throws -> Date?
    /// Records fires and moves the cursor, in one transaction. A fire recorded before is an error: one fire
    /// time is never launched twice.
    func recordFires(_ fires: [ScheduleFire], cursor: Date, project: String, domain: String, launchPlan: String) throws
    /// Newest first, optionally for one launch plan.
    func fires(project: String, domain: String, launchPlan: String?, limit: Int) throws -> [ScheduleFire]
    /// Launched fires (any project) whose execution does not exist or is still running, oldest first: what a
    /// restarted scheduler finishes.
    func unfinishedFires() throws -> [ScheduleFire]
}

/// The registry and its schedules: what `register`, `launch` and the scheduler use.
public typealias Registry = RegistryStore & ScheduleStore

public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
