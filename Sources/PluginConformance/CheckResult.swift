/// The outcome of one conformance check.
public struct CheckResult: Sendable {
    public enum Status: String, Sendable {
        case pass = "PASS"
        case fail = "FAIL"
        /// Not a failure, but worth the author's attention (e.g. the second finalize returned an error).
        case warn = "WARN"
        /// Not run: an earlier step it needs did not happen.
        case skip = "SKIP"
    }

    /// What was checked, in words: "submit twice with one task execution id".
    public var name: String
    /// The task type it ran on; nil for checks of the file as a whole.
    public var taskType: String?
    public var status: Status
    /// What happened: on a failure, what the plugin did.
    public var detail: String
    /// The rule a failure or warning breaks; for a pass, the rule the check tests.
    public var rule: ConformanceRule

    public init(name: String, taskType: String?, status: Status, detail: String, rule: ConformanceRule) {
        self.name = name
        self.taskType = taskType
        self.status = status
        self.detail = detail
        self.rule = rule
    }
}

/// Why a check failed: the rule the plugin broke and what it did. Thrown by the steps of a check.
struct CheckFailure: Error, Sendable {
    var rule: ConformanceRule
    var detail: String
    /// A warning rather than a failure.
    var isWarning = false
}
