public import AloftWire
public import FoundationEssentials

/// A cached result: a task's outputs for given inputs, and who produced them.
public struct CacheEntry: Sendable, Equatable {
    public var key: String
    public var project: String
    public var domain: String
    public var task: String
    public var cacheVersion: String
    public var interfaceHash: String
    public var inputsHash: String
    public var outputs: LiteralMap
    public var producer: Producer
    public var createdAt: Date

    public struct Producer: Sendable, Equatable {
        public var execution: String
        public var node: String
        public var attempt: Int
        public var taskVersion: String

        public init(execution: String, node: String, attempt: Int, taskVersion: String) {
            self.execution = execution
            self.node = node
            self.attempt = attempt
            self.taskVersion = taskVersion
        }
    }

    public init(
        key: String, project: String, domain: String, task: String, cacheVersion: String, interfaceHash: String,
        inputsHash: String, outputs: LiteralMap, producer: Producer, createdAt: Date = Date()
    ) {
        self.key = key
        self.project = project
        self.domain = domain
        self.task = task
        self.cacheVersion = cacheVersion
        self.interfaceHash = interfaceHash
        self.inputsHash = inputsHash
        self.outputs = outputs
        self.producer = producer
        self.createdAt = createdAt
    }
}

/// Cached task outputs and the reservations that serialize their computation.
public protocol CacheStore: Sendable {
    func cacheEntry(key: String) throws -> CacheEntry?
    func putCacheEntry(_ entry: CacheEntry) throws
    func cacheEntries(project: String?, domain: String?, task: String?) throws -> [CacheEntry]
    /// Removes matching entries; returns how many.
    func clearCache(project: String?, domain: String?, task: String?) throws -> Int
    /// Takes the reservation when it is free or expired; otherwise returns who holds it.
    func reserve(key: String, owner: String, until: Date) throws -> String?
    func release(key: String, owner: String) throws
}

/// Everything the engine keeps: executions and nodes, the cache, lineage, leases. Each store (SQLite here,
/// PostgreSQL for workers) implements every part.
public typealias Store = ExecutionStore & CacheStore & LineageStore & LeaseStore
