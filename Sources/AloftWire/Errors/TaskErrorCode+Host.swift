extension TaskError.Code {
    /// The codes the host and its engine set themselves: a closed set, whose raw values are the strings the
    /// store, the CLI and the runner frames carry.
    public enum Host: String, Sendable, CaseIterable {
        // Calls into a plugin (PluginHost).
        case pluginCallOverran = "PluginCallOverran"
        case pluginCallCancelled = "PluginCallCancelled"
        case pluginCallStuck = "PluginCallStuck"
        case pluginQuarantined = "PluginQuarantined"
        case stateTooLarge = "StateTooLarge"
        case invalidPhase = "InvalidPhase"
        case invalidOutputs = "InvalidOutputs"
        case outputMismatch = "OutputMismatch"
        case noError = "NoError"
        case secretNotFound = "SecretNotFound"
        // Runner processes (isolation: process).
        case pluginRunnerStart = "PluginRunnerStart"
        case pluginRunnerDied = "PluginRunnerDied"
        case pluginFileChanged = "PluginFileChanged"
        case runnerProtocol = "RunnerProtocol"
        // The engine's node runs.
        case hostDiedInPluginCall = "HostDiedInPluginCall"
        case noPlugin = "NoPlugin"
        case unknown = "Unknown"
        case abortedOutside = "AbortedOutside"
        case timeout = "Timeout"
        // The engine's workflow nodes (branches, calls, maps).
        case condition = "Condition"
        case branchFail = "BranchFail"
        case caseFailed = "CaseFailed"
        case noCase = "NoCase"
        case noTask = "NoTask"
        case noWorkflow = "NoWorkflow"
        case binding = "Binding"
        case subworkflowFailed = "SubworkflowFailed"
        case mapFailed = "MapFailed"
    }

    /// A call did not return within its budget; the host stopped waiting (and the engine aborts the task).
    public static var pluginCallOverran: Self { Self(.pluginCallOverran) }
    /// The waiting task was cancelled while the call ran; the call was abandoned.
    public static var pluginCallCancelled: Self { Self(.pluginCallCancelled) }
    /// An earlier call of the same task, abandoned past its budget, has not returned yet.
    public static var pluginCallStuck: Self { Self(.pluginCallStuck) }
    /// The plugin overran its budget too often and takes no new tasks until it is reloaded.
    public static var pluginQuarantined: Self { Self(.pluginQuarantined) }
    /// The plugin returned a resource state over the host's limit.
    public static var stateTooLarge: Self { Self(.stateTooLarge) }
    /// The plugin returned a phase the ABI does not define.
    public static var invalidPhase: Self { Self(.invalidPhase) }
    /// The plugin returned outputs that are not a literal map.
    public static var invalidOutputs: Self { Self(.invalidOutputs) }
    /// The plugin's outputs do not match the task's declared output types.
    public static var outputMismatch: Self { Self(.outputMismatch) }
    /// The plugin reported a failed task without an error.
    public static var noError: Self { Self(.noError) }
    /// A plugin asked for a secret it may not read, or that does not exist (the host's answer to the plugin).
    public static var secretNotFound: Self { Self(.secretNotFound) }
    /// A runner process for the plugin could not be started.
    public static var pluginRunnerStart: Self { Self(.pluginRunnerStart) }
    /// The runner process serving a call died in it.
    public static var pluginRunnerDied: Self { Self(.pluginRunnerDied) }
    /// The plugin's file changed since the host loaded it; runners will not load the new one.
    public static var pluginFileChanged: Self { Self(.pluginFileChanged) }
    /// A runner answered with something the call did not ask for.
    public static var runnerProtocol: Self { Self(.runnerProtocol) }
    /// The host died during the same plugin call more often than tolerated.
    public static var hostDiedInPluginCall: Self { Self(.hostDiedInPluginCall) }
    /// No loaded plugin serves the task's type.
    public static var noPlugin: Self { Self(.noPlugin) }
    /// A poll said failed with no error at all.
    public static var unknown: Self { Self(.unknown) }
    /// The task was stopped outside Aloft (the plugin reported it aborted).
    public static var abortedOutside: Self { Self(.abortedOutside) }
    /// An attempt exceeded the task's timeout.
    public static var timeout: Self { Self(.timeout) }
    /// A branch condition could not be evaluated.
    public static var condition: Self { Self(.condition) }
    /// A branch case taken was a `fail`.
    public static var branchFail: Self { Self(.branchFail) }
    /// The call of the branch case taken failed without an error of its own.
    public static var caseFailed: Self { Self(.caseFailed) }
    /// No branch case held and there is no else.
    public static var noCase: Self { Self(.noCase) }
    /// A call names a task that is not in the plan.
    public static var noTask: Self { Self(.noTask) }
    /// A call names a workflow that is not in the plan.
    public static var noWorkflow: Self { Self(.noWorkflow) }
    /// A node's inputs could not be bound (or a map is over a value that is not a list).
    public static var binding: Self { Self(.binding) }
    /// A sub-workflow failed.
    public static var subworkflowFailed: Self { Self(.subworkflowFailed) }
    /// Fewer items of a map succeeded than its minimum success ratio.
    public static var mapFailed: Self { Self(.mapFailed) }
}
