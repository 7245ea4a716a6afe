import AloftWire
import PluginHost
import Testing

/// TaskError.Code: the host's codes are a closed set with stable strings; a plugin's code is any string and
/// comes back unchanged from the runner frames.
@Suite struct TaskErrorCodeTests {
    @Test func theHostsCodesKeepTheirStrings() {
        let spelled = TaskError.Code.Host.allCases.map(\.rawValue)
        #expect(
            spelled == [
                "PluginCallOverran", "PluginCallCancelled", "PluginCallStuck", "PluginQuarantined", "StateTooLarge",
                "InvalidPhase", "InvalidOutputs", "OutputMismatch", "NoError", "SecretNotFound", "PluginRunnerStart",
                "PluginRunnerDied", "PluginFileChanged", "RunnerProtocol", "HostDiedInPluginCall", "NoPlugin",
                "Unknown",
                "AbortedOutside", "Timeout", "Condition", "BranchFail", "CaseFailed", "NoCase", "NoTask", "NoWorkflow",
                "Binding", "SubworkflowFailed", "MapFailed",
            ])
        for host in TaskError.Code.Host.allCases {
            let code = TaskError.Code(rawValue: host.rawValue)
            #expect(code.host == host)
            #expect(code.description == host.rawValue)
        }
        #expect(TaskError.Code.pluginCallOverran.host == .pluginCallOverran)
        #expect(TaskError.Code.pluginCallOverran.rawValue == "PluginCallOverran")
    }

    @Test func aPluginsCodeIsItsOwnString() {
        let code = TaskError.Code(pluginCode: "Throttled")
        #expect(code == .plugin("Throttled"))
        #expect(code.host == nil)
        #expect(code.rawValue == "Throttled")
        #expect(code != .timeout)
        #expect(TaskError.Code.plugin("").isEmpty)
        // Identified by its string: a plugin code spelled like a host code is that code (as with strings).
        #expect(TaskError.Code(pluginCode: "Timeout") == .timeout)
    }

    @Test func codesCrossTheRunnerFramesAsTheirStrings() throws {
        struct Underneath: Error {}
        for code in [TaskError.Code.plugin("Throttled"), .plugin(""), .pluginCallOverran, .invalidOutputs] {
            let error = TaskError(kind: .user, retryable: true, code: code, message: "why", cause: Underneath())
            let bytes = RunnerToHost.reply(id: 7, .failed(error)).encoded
            guard case .reply(7, .failed(let back)) = try RunnerToHost(decoding: bytes) else {
                Issue.record("the frame did not come back as the failed reply")
                continue
            }
            #expect(back == error)
            #expect(back.code.rawValue == code.rawValue)
            #expect(back.code.host == code.host)
            #expect(back.cause == nil)
        }
    }

    @Test func theDescriptionIsAsItWasAndTheCauseIsNotCompared() {
        struct Underneath: Error {}
        let error = TaskError(kind: .system, retryable: true, code: .plugin("Throttled"), message: "429")
        #expect(error.description == "system error (retryable) Throttled: 429")
        #expect(
            TaskError(kind: .user, retryable: false, code: .plugin(""), message: "m").description == "user error: m")
        var caused = error
        caused.cause = Underneath()
        #expect(caused == error)
    }
}
