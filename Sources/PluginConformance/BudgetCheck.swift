import PluginHost

/// "A call that never returns": every call the other checks made, held against the call budget. A call
/// the host stopped waiting for at its budget (a poll that blocks, a submit that waits for its job) fails it.
enum BudgetCheck {
    static let name = "every call returns within its budget"

    static func result(_ log: CallLog, budget: Duration) -> CheckResult {
        let calls = log.all
        let seconds = budget.secondsValue
        let overruns = log.overruns
        guard overruns.isEmpty else {
            let listed = overruns.prefix(5).map { "\($0.call) of \($0.executionID)" }.joined(separator: ", ")
            let more = overruns.count > 5 ? " and \(overruns.count - 5) more" : ""
            return CheckResult(
                name: name, taskType: nil, status: .fail,
                detail: "\(overruns.count) call\(overruns.count == 1 ? "" : "s") did not return within \(seconds) s "
                    + "(--budget-seconds): \(listed)\(more)",
                rule: .callBudget)
        }
        guard let slowest = calls.max(by: { $0.duration < $1.duration }) else {
            return CheckResult(
                name: name, taskType: nil, status: .skip, detail: "no task call was made", rule: .callBudget)
        }
        let ms = (slowest.duration.secondsValue * 1000).rounded()
        return CheckResult(
            name: name, taskType: nil, status: .pass,
            detail: "\(calls.count) calls; the slowest, a \(slowest.call), took \(Int(ms)) ms (budget \(seconds) s)",
            rule: .callBudget)
    }
}
