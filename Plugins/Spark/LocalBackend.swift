import AloftHTTP
import AloftTaskIO
import Foundation
import PluginKit

/// `spark-submit --master local[N]` as a `ManagedProcess`: its own process group (abort kills spark-submit,
/// the JVM and the Python workers together), the attempt's working directory, logs beside it, and a pid
/// file, so a restarted host polls the same job instead of starting it again.
struct LocalBackend {
    let host: HostServices
    let settings: SparkSettings
    let http: HTTPClient

    func submit(
        _ call: TaskCall, _ context: TaskContext, job: SparkJobSpec, io: TaskIO
    ) throws(PluginError) -> SparkState {
        let process = ManagedProcess(host: host)
        let (state, existed) = try process.existingOrStart(io) { () throws(PluginError) -> ManagedProcess.State in
            let submitPath = try settings.sparkSubmit()
            try io.prepare(context)
            let arguments = try SparkSubmitArguments(job, call: call, context: context, io: io)
            let cores = job.localCores ?? settings.localCores
            let argv = arguments.localCommand(sparkSubmit: submitPath, master: "local[\(cores)]", job: job)
            return try process.start(
                argv, environment: SparkEnvironment.make(job, call: call, context: context, io: io, settings: settings),
                io: io, executionID: call.executionID)
        }
        if existed {
            host.log(
                .info, "spark-submit of \(call.executionID) was started before (pid \(state.pid)); re-attaching",
                task: call.executionID)
        }
        return .local(pid: state.pid, startTicks: state.startTicks, ui: nil)
    }

    func poll(
        _ call: TaskCall, pid: Int32, startTicks: Int64, ui: String?, io: TaskIO, types: TypeMap
    ) throws(PluginError) -> PollResult {
        let process = ManagedProcess.State(pid: pid, startTicks: startTicks)
        let stderr = io.work + "/stderr.log"
        switch ManagedProcess(host: host).status(process, io: io) {
        case .exited(0):
            return .succeeded(try io.outputs(types))
        case .exited(let code):
            let why = DriverLog.lastError(work: io.work)
            return .failed(
                .user(
                    "the Spark job failed (spark-submit exited with code \(code))"
                        + (why.isEmpty ? "" : "; the driver's last error:\n" + why),
                    code: "SparkJobFailed", retryable: true))
        case .limitRefused(let what):
            return .failed(.system("cannot apply the job's limit on \(what)", code: "ResourceLimit", retryable: false))
        case .lost(let pid):
            return .failed(
                .system(
                    "spark-submit (pid \(pid)) disappeared without an exit code" + ExitStatus.tail(stderr),
                    code: "ProcessLost", retryable: true))
        case .running:
            // The driver's UI port is in its log once it started; kept in the state so later polls skip the log.
            let address = ui ?? DriverLog.uiAddress(stderr)
            let newState =
                address != nil && ui == nil
                ? SparkState.local(pid: pid, startTicks: startTicks, ui: address).bytes : nil
            // A short job is not made slower by asking its UI (see SparkSettings.progressAfterSeconds).
            let asked = address != nil && runningFor(io) >= settings.progressAfterSeconds
            let progress =
                (asked ? address.flatMap { DriverProgress(http: http).status(ui: $0) } : nil)
                ?? "spark-submit running (pid \(pid))"
            return PollResult(
                phase: .running, pollAfter: .milliseconds(Int64(settings.pollSeconds * 1000)), state: newState,
                statusMessage: progress)
        }
    }

    /// Seconds since the job started (its pid file was written then).
    private func runningFor(_ io: TaskIO) -> Double {
        guard
            let started = (try? FileManager.default.attributesOfItem(atPath: io.work + "/pid"))?[.modificationDate]
                as? Date
        else { return 0 }
        return Date().timeIntervalSince(started)
    }

    func abort(pid: Int32, startTicks: Int64, executionID: String) {
        ManagedProcess(host: host).abort(
            ManagedProcess.State(pid: pid, startTicks: startTicks), executionID: executionID)
    }
}

/// The environment a Spark job's driver sees: the host's PATH/HOME/LANG, Spark's (loopback only, the Python
/// that has pyspark), the task's own `env`, and Aloft's variables (ALOFT_OUTPUT_DIR...).
enum SparkEnvironment {
    static func make(
        _ job: SparkJobSpec, call: TaskCall, context: TaskContext, io: TaskIO, settings: SparkSettings
    ) -> [String: String] {
        var environment = ManagedProcess.baseEnvironment()
        environment["SPARK_LOCAL_IP"] = "127.0.0.1"
        if let python = settings.python {
            environment["PYSPARK_PYTHON"] = python
            environment["PYSPARK_DRIVER_PYTHON"] = python
        }
        if let java = settings.javaHome { environment["JAVA_HOME"] = java }
        if let home = settings.sparkHome { environment["SPARK_HOME"] = home }
        environment.merge(job.env) { _, task in task }
        environment.merge(io.aloftEnvironment(call, context)) { _, aloft in aloft }
        return environment
    }
}
