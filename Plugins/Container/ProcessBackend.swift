import AloftTaskIO
import Foundation
import PluginKit

/// Runs a container task as a local process (a `ManagedProcess`): its own process group, the attempt's
/// working directory, the task's environment, stdout/stderr to files, an exit-code file.
struct ProcessBackend {
    let host: HostServices
    /// Test hook (plugin config `test_hooks.poll_pause_ms`), see ManagedProcess.
    var pollPauseMilliseconds = 0
    /// Test hook (plugin config `test_hooks.submit_pause_ms`): a pause in submit after it found no process and
    /// before it starts one, to widen the window in which another host submits the same attempt.
    var submitPauseMilliseconds = 0

    func submit(
        _ call: TaskCall, _ context: TaskContext, io: TaskIO, spec: ContainerSpec
    ) throws(PluginError) -> [UInt8] {
        let process = ManagedProcess(host: host)
        // Idempotent: a submit repeated after a crash, or by another host at the same time, finds the process
        // the first one started.
        return try process.existingOrStart(io) { () throws(PluginError) -> ManagedProcess.State in
            if submitPauseMilliseconds > 0 { usleep(UInt32(submitPauseMilliseconds) * 1000) }
            try io.prepare(context)
            var environment = ManagedProcess.baseEnvironment()
            environment.merge(spec.env) { _, task in task }
            environment.merge(io.aloftEnvironment(call, context)) { _, aloft in aloft }
            return try process.start(
                spec.command, environment: environment, io: io, executionID: call.executionID,
                memoryBytes: spec.memoryBytes)
        }.state.bytes
    }

    func poll(_ call: TaskCall, io: TaskIO, types: TypeMap, memoryBytes: Int64?) throws(PluginError) -> PollResult {
        let state = try ManagedProcess.State(call.state)
        switch ManagedProcess(host: host, pollPauseMilliseconds: pollPauseMilliseconds).status(state, io: io) {
        case .exited(let code):
            if code == 0 { return .succeeded(try io.outputs(types)) }
            return .failed(ExitStatus.failure(code: code, io: io, memoryBytes: memoryBytes))
        case .limitRefused(let limit):
            return .failed(
                .system(
                    "cannot apply the task's limit on \(limit); "
                        + "most likely the process running Aloft has a lower hard limit that it may not raise: ask for less, or raise that limit"
                        + ExitStatus.tail(io.work + "/stderr.log"), code: "ResourceLimit", retryable: false))
        case .running(let pid):
            // The reaper thread asks for an early poll; the hint bounds the wait when that wake-up is missed.
            return .running(pollAfter: .milliseconds(100), status: "pid \(pid)")
        case .lost(let pid):
            return .failed(
                .system(
                    "the task's process \(pid) disappeared without an exit code"
                        + ExitStatus.tail(io.work + "/stderr.log"),
                    code: "ProcessLost", retryable: true))
        }
    }

    func abort(_ call: TaskCall) {
        guard let state = try? ManagedProcess.State(call.state) else { return }
        ManagedProcess(host: host).abort(state, executionID: call.executionID)
    }
}
