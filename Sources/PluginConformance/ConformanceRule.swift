/// A rule of the plugin ABI that a conformance check tests, with the place in docs/plugin-abi.md that
/// states it. Each rule has its own anchor there (section 15 lists them and links to where each is defined).
public struct ConformanceRule: Sendable, Hashable, CustomStringConvertible {
    /// Stable id; the doc anchor is `rule-<id>`.
    public let id: String
    /// The rule in one line, as the report prints it.
    public let statement: String

    public init(id: String, statement: String) {
        self.id = id
        self.statement = statement
    }

    public static let document = "docs/plugin-abi.md"

    /// Where the rule is written: `docs/plugin-abi.md#rule-<id>`.
    public var reference: String { "\(Self.document)#rule-\(id)" }

    public var description: String { "\(statement) (\(reference))" }
}

extension ConformanceRule {
    public static let loads = ConformanceRule(
        id: "loads",
        statement:
            "the file loads: a shared object for this machine whose constructors, entry function and init neither crash, hang nor exit"
    )
    public static let abiVersion = ConformanceRule(
        id: "abi-version", statement: "the descriptor states ABI major 1 and a minor this host knows")
    public static let descriptor = ConformanceRule(
        id: "descriptor",
        statement: "the descriptor is valid: struct_size, id, version, task types and the required functions")
    public static let initWithinBudget = ConformanceRule(
        id: "init", statement: "init accepts the plugin config and returns within init_budget_seconds")
    public static let lifecycle = ConformanceRule(
        id: "lifecycle", statement: "a submitted task is observed by poll until a terminal phase, then finalized")
    public static let submitIdempotent = ConformanceRule(
        id: "submit-idempotent",
        statement: "submit is idempotent per task_execution_id: a second submit finds the first job")
    public static let reattach = ConformanceRule(
        id: "reattach",
        statement: "poll and finalize work in a fresh plugin instance from the stored state and the context alone")
    public static let abortIdempotent = ConformanceRule(
        id: "abort-idempotent",
        statement: "abort is idempotent: ALOFT_OK before completion, again, and after completion")
    public static let finalizeIdempotent = ConformanceRule(
        id: "finalize-idempotent",
        statement: "finalize may be called again for the same attempt (after a host crash) and must be idempotent")
    public static let concurrentTasks = ConformanceRule(
        id: "concurrent-tasks",
        statement: "calls for different tasks run at the same time on different threads: shared state is thread-safe")
    public static let outputsMatch = ConformanceRule(
        id: "outputs-match",
        statement: "a succeeded poll returns a literal map that matches the task's output interface exactly")
    public static let pollPhase = ConformanceRule(
        id: "poll-phase", statement: "poll sets a phase from 1 to 7, and a failed task says why in result->error")
    public static let stateSize = ConformanceRule(
        id: "state-size", statement: "a resource state is at most 1 MiB")
    public static let callBudget = ConformanceRule(
        id: "call-budget", statement: "every call returns within call_budget_seconds: long work runs outside calls")
    public static let syncCall = ConformanceRule(
        id: "sync-call",
        statement:
            "a synchronous task type (ABI 1.1) completes in one run_sync call, its outputs matching the interface")
    public static let syncIdempotent = ConformanceRule(
        id: "sync-idempotent",
        statement: "run_sync is idempotent per task_execution_id: called again, it ends the same")
    public static let noCrash = ConformanceRule(
        id: "no-crash",
        statement: "no call crashes, aborts or exits the process it runs in (buffers are released exactly once)")

    /// Every rule, in the order section 15 of the doc lists them.
    public static let all: [ConformanceRule] = [
        .loads, .abiVersion, .descriptor, .initWithinBudget, .lifecycle, .submitIdempotent, .reattach, .abortIdempotent,
        .finalizeIdempotent, .concurrentTasks, .outputsMatch, .pollPhase, .stateSize, .callBudget, .noCrash,
        .syncCall, .syncIdempotent,
    ]
}
