import AloftWire
import PluginHost

/// What every check of one task type shares: how to make tasks, how to get a fresh plugin instance, the
/// call log and the options.
struct CheckContext: Sendable {
    let factory: TaskFactory
    let launcher: PluginLauncher
    let log: CallLog
    let options: ConformanceOptions

    var taskType: String { factory.subject.taskType }

    /// Runs `body` on a fresh plugin instance and turns what it returns (the detail of a pass) or throws
    /// (the rule broken) into the check's result.
    func perform(
        _ name: String, rule: ConformanceRule,
        _ body: @Sendable (TaskCalls) async throws(CheckFailure) -> String
    ) async -> CheckResult {
        let outcome: Result<String, CheckFailure>
        do throws(CheckFailure) {
            let plugin = try await instance()
            defer { launcher.release(plugin) }
            outcome = .success(try await body(calls(plugin)))
        } catch {
            outcome = .failure(error)
        }
        return result(name, rule: rule, outcome)
    }

    /// A fresh instance of the plugin.
    func instance() async throws(CheckFailure) -> any TaskPlugin {
        try await launcher.launch().get()
    }

    func calls(_ plugin: any TaskPlugin) -> TaskCalls {
        let launcher = self.launcher
        return TaskCalls(plugin: plugin, log: log, options: options, processes: { launcher.processes(of: plugin) })
    }

    func result(_ name: String, rule: ConformanceRule, _ outcome: Result<String, CheckFailure>) -> CheckResult {
        switch outcome {
        case .success(let detail):
            return CheckResult(name: name, taskType: taskType, status: .pass, detail: detail, rule: rule)
        case .failure(let failure):
            return CheckResult(
                name: name, taskType: taskType, status: failure.isWarning ? .warn : .fail,
                detail: failure.detail, rule: failure.rule)
        }
    }

    func skipped(_ name: String, rule: ConformanceRule, because why: String) -> CheckResult {
        CheckResult(name: name, taskType: taskType, status: .skip, detail: why, rule: rule)
    }
}
