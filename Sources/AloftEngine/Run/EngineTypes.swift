import AloftCompiler
import AloftSystem
public import AloftWire
public import FoundationEssentials
import Glibc

public struct EngineOptions: Sendable {
    /// Task calls running at once in one execution.
    public var parallelism: Int
    /// Task calls running at once across every execution of this engine.
    public var overallParallelism: Int
    /// Default poll interval when a plugin gives no hint (grows with backoff up to `maxPollInterval`).
    public var minPollInterval: Duration
    public var maxPollInterval: Duration
    /// System retry budget of every task (user retries come from the task).
    public var systemRetries: Int
    /// Skip cache lookups and replace the entries with fresh results.
    public var overwriteCache = false
    /// How long a `serialize` reservation lives without being renewed (the owner renews while it runs).
    public var reservationTTL: Duration = .seconds(30)
    /// How long an execution's lease lives without a heartbeat (renewed every third of it while this engine
    /// drives the execution). A holder that dies on this machine is known dead at once; elsewhere, its
    /// executions can be resumed when this has passed.
    public var leaseTTL: Duration = .seconds(30)
    /// The time a task's timeout is measured on.
    public var clock: any EngineClock = SystemEngineClock()
    /// Node inputs and outputs whose canonical encoding is at most this many bytes live only in the node's
    /// row of the metadata store; larger ones also get their per-attempt file in the blob store
    /// (`inputs.json`, `outputs.json`). Files and datasets are blobs whatever their size: the row names them.
    public var inlineValueLimit = 64 * 1024
    /// Task type -> the most of its tasks running at once across every process sharing the store (aloft.yaml's
    /// `quotas`; QuotaSlots). A type without one is limited only by the parallelism above.
    public var quotas: [String: Int] = [:]
    /// What this process is, in lease holders: `aloft run`, `aloft resume`, `aloft scheduler`.
    public var role = "aloft " + (CommandLine.arguments.dropFirst().first ?? "")

    public init(
        parallelism: Int = 16, overallParallelism: Int = 64, minPollInterval: Duration = .milliseconds(5),
        maxPollInterval: Duration = .seconds(5), systemRetries: Int = 3
    ) {
        self.parallelism = parallelism
        self.overallParallelism = overallParallelism
        self.minPollInterval = minPollInterval
        self.maxPollInterval = maxPollInterval
        self.systemRetries = systemRetries
    }
}

/// What the engine reports while it runs, for progress displays.
public enum EngineEvent: Sendable {
    case nodeStarted(path: String, attempt: Int)
    case nodeFinished(path: String, phase: NodePhase, cached: Bool)
    case nodeRetrying(path: String, attempt: Int, error: TaskError)
    case nodeStatus(path: String, message: String)
    case cacheHit(path: String, producer: String)
}

/// Why a workflow scope failed.
struct ScopeFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Readable, sortable, unique execution ids: `ex-` + UTC time + random suffix.
public enum ExecutionID {
    public static func make(now: Date = Date()) -> String {
        var tm = tm()
        var t = time_t(now.timeIntervalSince1970)
        gmtime_r(&t, &tm)
        let two = { (n: Int32) in DecimalText.zeroPadded(Int(n), width: 2) }
        let stamp =
            DecimalText.zeroPadded(Int(tm.tm_year) + 1900, width: 4) + two(tm.tm_mon + 1) + two(tm.tm_mday) + "-"
            + two(tm.tm_hour) + two(tm.tm_min) + two(tm.tm_sec)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let suffix = String((0..<6).map { _ in alphabet.randomElement()! })
        return "ex-\(stamp)-\(suffix)"
    }
}
