import AloftWire
import PluginHost

/// The calls a check makes on one plugin instance. Each is timed into the call log; a failed call becomes
/// the `CheckFailure` that names the rule it breaks (`rule` unless the host detected something itself).
struct TaskCalls: Sendable {
    let plugin: any TaskPlugin
    let log: CallLog
    let options: ConformanceOptions

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

    func submit(_ task: TaskInvocation, rule: ConformanceRule, label: String = "submit") async throws(CheckFailure) -> [UInt8] {
        let start = ContinuousClock.now
        do {
            let state = try await plugin.submit(task)
            log.record("submit", task.executionID, since: start, error: nil)
            return state
        } catch {
            log.record("submit", task.executionID, since: start, error: error)
            throw CallFailure.failure(label, error, otherwise: rule)
        }
    }

    func poll(_ task: TaskInvocation, rule: ConformanceRule) async throws(CheckFailure) -> PollOutcome {
        let start = ContinuousClock.now
        do {
            let outcome = try await plugin.poll(task)
            log.record("poll", task.executionID, since: start, error: nil)
            return outcome
        } catch {
            log.record("poll", task.executionID, since: start, error: error)
            throw CallFailure.failure("poll", error, otherwise: rule)
        }
    }

    func abort(_ task: TaskInvocation, rule: ConformanceRule, label: String = "abort") async throws(CheckFailure) {
        let start = ContinuousClock.now
        do {
            try await plugin.abort(task)
            log.record("abort", task.executionID, since: start, error: nil)
        } catch {
            log.record("abort", task.executionID, since: start, error: error)
            throw CallFailure.failure(label, error, otherwise: rule)
        }
    }

    func finalize(_ task: TaskInvocation, rule: ConformanceRule, label: String = "finalize") async throws(CheckFailure) {
        let start = ContinuousClock.now
        do {
            try await plugin.finalize(task)
            log.record("finalize", task.executionID, since: start, error: nil)
        } catch {
            log.record("finalize", task.executionID, since: start, error: error)
            throw CallFailure.failure(label, error, otherwise: rule)
        }
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
