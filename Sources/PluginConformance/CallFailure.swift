import PluginHost

/// Which rule a failed call breaks. Errors the host detects itself (an overrun, an invalid phase, outputs
/// that are not a literal map, a runner that died) name their own rule; any other error from the plugin
/// breaks the rule of the check that made the call.
enum CallFailure {
    static let overran = "PluginCallOverran"

    static func rule(for error: TaskError, otherwise: ConformanceRule) -> ConformanceRule {
        switch error.code {
        case overran, "PluginCallStuck": return .callBudget
        case "InvalidPhase", "NoError": return .pollPhase
        case "InvalidOutputs", "OutputMismatch": return .outputsMatch
        case "StateTooLarge": return .stateSize
        default: return isCrash(error) ? .noCrash : otherwise
        }
    }

    /// The plugin's process died in the call (only an isolated plugin survives to say so).
    static func isCrash(_ error: TaskError) -> Bool {
        ["PluginCrashed", "PluginRunnerDied", "RunnerDied", "PluginProcessDied"].contains(error.code)
    }

    static func failure(_ call: String, _ error: TaskError, otherwise: ConformanceRule) -> CheckFailure {
        CheckFailure(rule: rule(for: error, otherwise: otherwise), detail: "\(call) failed: \(error)")
    }
}
