import AloftWire
import PluginHost

/// The calls a check makes on one plugin instance. Each is timed into the call log; a failed call becomes
/// the `CheckFailure` that names the rule it breaks (`rule` unless the host detected something itself).
struct TaskCalls: Sendable {
    let plugin: any TaskPlugin
    let log: CallLog
    let options: ConformanceOptions
    /// The processes the plugin's code runs in now (empty when it runs in this one).
    let processes: @Sendable () -> [Int32]

    /// Where polling ended.
    struct Terminal: Sendable {
        var phase: TaskPhase
        var outputs: LiteralMap?
        var error: TaskError?
        var polls: Int

        /// For messages: "succeeded with {x: 42}", "failed: user error ...".
        var summary: String {
            switch phase {
            case .succeeded: return "succeeded with outputs \(JSONWriter.string((outputs ?? [:]).json))"
            case .failed: return "failed: \(error.map(\.description) ?? "no error")"
            default: return phase.description
            }
        }
    }

    func submit(
        _ task: TaskInvocation, rule: ConformanceRule, label: String = "submit"
    ) async throws(CheckFailure) -> [UInt8] {
        try await made("submit", label, task, rule: rule) { () async throws(TaskError) in try await plugin.submit(task)
        }
    }

    func poll(_ task: TaskInvocation, rule: ConformanceRule) async throws(CheckFailure) -> PollOutcome {
        try await made("poll", "poll", task, rule: rule) { () async throws(TaskError) in try await plugin.poll(task) }
    }

    func abort(_ task: TaskInvocation, rule: ConformanceRule, label: String = "abort") async throws(CheckFailure) {
        try await made("abort", label, task, rule: rule) { () async throws(TaskError) in try await plugin.abort(task) }
    }

    func finalize(_ task: TaskInvocation, rule: ConformanceRule, label: String = "finalize") async throws(CheckFailure)
    {
        try await made("finalize", label, task, rule: rule) { () async throws(TaskError) in
            try await plugin.finalize(task)
        }
    }

    /// ABI 1.1: one task of a synchronous type, in one call.
    func runSync(
        _ task: TaskInvocation, rule: ConformanceRule, label: String = "run_sync"
    ) async throws(CheckFailure) -> LiteralMap {
        try await made("run_sync", label, task, rule: rule) { () async throws(TaskError) in
            try await plugin.runSync(task)
        }
    }

    /// Makes one call: timed into the log; an error becomes the failure of `rule` (or of the rule the host's
    /// error names). A runner process that died during the call fails it too, even when the host sent the
    /// call again to a new runner and that one answered.
    private func made<T>(
        _ call: String, _ label: String, _ task: TaskInvocation, rule: ConformanceRule,
        _ body: () async throws(TaskError) -> T
    ) async throws(CheckFailure) -> T {
        let before = processes()
        let start = ContinuousClock.now
        let value: T
        do throws(TaskError) {
            value = try await body()
            log.record(call, task.executionID, since: start, error: nil)
        } catch {
            log.record(call, task.executionID, since: start, error: error)
            throw CallFailure.failure(label, error, otherwise: rule)
        }
        let after = processes()
        if let died = before.first(where: { !after.contains($0) }) {
            throw CheckFailure(
                rule: .noCrash,
                detail: "\(label): the plugin's runner process (pid \(died)) died during the call "
                    + "(the host sent the call again to a new runner, which answered)")
        }
        return value
    }

    /// Polls until a terminal phase, honouring the plugin's hint (5 ms to 500 ms between polls), keeping the
    /// newest state in `task`, at most `options.taskTimeout` in all.
    func pollUntilTerminal(_ task: inout TaskInvocation, rule: ConformanceRule) async throws(CheckFailure) -> Terminal {
        let deadline = ContinuousClock.now + options.taskTimeout
        var polls = 0
        var backoff = Duration.milliseconds(5)
        while true {
            let outcome = try await poll(task, rule: rule)
            polls += 1
            if let state = outcome.newState { task.state = state }
            if outcome.phase.isTerminal {
                return Terminal(phase: outcome.phase, outputs: outcome.outputs, error: outcome.error, polls: polls)
            }
            let now = ContinuousClock.now
            guard now < deadline else {
                let status = outcome.statusMessage.map { " (\($0))" } ?? ""
                throw CheckFailure(
                    rule: .lifecycle,
                    detail: "the task did not reach a terminal phase within \(options.taskTimeout.secondsValue) s: "
                        + "still \(outcome.phase)\(status) after \(polls) polls (allow more with --task-seconds)")
            }
            let wait = min(max(outcome.pollAfter ?? backoff, .milliseconds(5)), .milliseconds(500), deadline - now)
            backoff = min(backoff * 2, .milliseconds(500))
            try? await Task.sleep(for: wait)
        }
    }

    /// submit, poll to a terminal phase, finalize: one whole task.
    func run(_ task: TaskInvocation, rule: ConformanceRule) async throws(CheckFailure) -> Terminal {
        var task = task
        task.state = try await submit(task, rule: rule)
        let terminal = try await pollUntilTerminal(&task, rule: rule)
        try await finalize(task, rule: rule)
        return terminal
    }
}
