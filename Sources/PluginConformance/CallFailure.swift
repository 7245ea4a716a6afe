import AloftWire
import PluginHost

/// Which rule a failed call breaks. Errors the host detects itself (an overrun, an invalid phase, outputs
/// that are not a literal map, a runner that died) name their own rule; any other error from the plugin
/// breaks the rule of the check that made the call.
enum CallFailure {
    static func rule(for error: TaskError, otherwise: ConformanceRule) -> ConformanceRule {
        switch error.code.host {
        case .pluginCallOverran?, .pluginCallStuck?: return .callBudget
        case .invalidPhase?, .noError?: return .pollPhase
        case .invalidOutputs?, .outputMismatch?: return .outputsMatch
        case .stateTooLarge?: return .stateSize
        default: return isCrash(error) ? .noCrash : otherwise
        }
    }

    /// The plugin's process died in the call (only an isolated plugin survives to say so).
    static func isCrash(_ error: TaskError) -> Bool { error.code == .pluginRunnerDied }

    static func failure(_ call: String, _ error: TaskError, otherwise: ConformanceRule) -> CheckFailure {
        CheckFailure(rule: rule(for: error, otherwise: otherwise), detail: "\(call) failed: \(error)")
    }
}
