import AloftAWS
import AloftHTTP
import Foundation
public import PluginKit

/// SageMaker training and hyperparameter tuning jobs over AWS's API (JSON 1.1, SigV4), the asynchronous tier
/// of the ABI: submit creates the job under a name derived from the task execution id (a repeated submit
/// describes the job instead of creating a second), the resource state is that name, poll describes it,
/// abort stops it.
///
/// Task types: `sagemaker-training`, `sagemaker-tuning`. Plugin config (plugins.config."aloft.sagemaker"):
///   region: us-east-1          endpoint: http://127.0.0.1:5000   (any compatible server)
///   role: arn:...              output_path: s3://bucket/prefix     instance_type: ml.m5.large
///   poll_seconds: 30           algorithms: {xgboost: {"1.7-1": <image>}}
///   access_key_id: AKIA...     (optional; not a secret, so errors can name it)
/// Credentials: the host's secrets aws_access_key_id / aws_secret_access_key / aws_session_token (grant them
/// under plugins.secrets), else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
public final class SagemakerPlugin: Plugin {
    public static let info = PluginInfo(
        id: "aloft.sagemaker", version: "0.1.0",
        description: "SageMaker training and hyperparameter tuning jobs (AWS API, SigV4)",
        taskTypes: ["sagemaker-training", "sagemaker-tuning"], checksTasks: false)

    private let host: HostServices
    private let defaults: SagemakerDefaults
    private let http: HTTPClient
    /// The access key id from the config: not a secret, and then errors can show it (the host redacts every
    /// value it hands out as a secret, key ids included).
    private let accessKeyID: String?

    public init(config: JSON, host: HostServices) throws(PluginError) {
        self.host = host
        var d = SagemakerDefaults()
        d.region = config["region"]?.stringValue ?? ProcessInfo.processInfo.environment["AWS_REGION"] ?? "us-east-1"
        d.endpoint =
            config["endpoint"]?.stringValue ?? ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL_SAGEMAKER"]
        d.role = config["role"]?.stringValue
        d.outputPath = config["output_path"]?.stringValue
        d.instanceType = config["instance_type"]?.stringValue ?? d.instanceType
        d.pollSeconds = config["poll_seconds"]?.numberValue ?? d.pollSeconds
        for (algorithm, versions) in config["algorithms"]?.objectValue ?? [:] {
            d.algorithms[algorithm] = (versions.objectValue ?? [:]).compactMapValues(\.stringValue)
        }
        defaults = d
        accessKeyID = config["access_key_id"]?.stringValue
        http = HTTPClient(.init(log: { [host] line in host.log(.debug, "sagemaker: " + line) }))
    }

    /// The job a task's state names.
    struct State {
        var kind: String  // "training" or "tuning"
        var name: String
        var bytes: [UInt8] { JSONWriter.encode(.object(["kind": .string(kind), "name": .string(name)])) }

        init(kind: String, name: String) {
            self.kind = kind
            self.name = name
        }

        init(_ bytes: [UInt8]) throws(PluginError) {
            guard let j = try? JSONParser.parse(bytes), let kind = j["kind"]?.stringValue,
                let name = j["name"]?.stringValue
            else {
                throw .system("the SageMaker job state is unreadable", code: "BadState", retryable: false)
            }
            self.init(kind: kind, name: name)
        }
    }

    private func client(_ call: TaskCall) throws(PluginError) -> AWSJSONClient {
        let configuredKeyID = accessKeyID
        let lookup = { [host] (name: String) -> [UInt8]? in
            if name == "aws_access_key_id", let configuredKeyID { return Array(configuredKeyID.utf8) }
            return try? host.secret(name)
        }
        guard
            let (credentials, _) = AWSCredentials.resolve(
                secret: { lookup($0) }, environment: ProcessInfo.processInfo.environment)
        else {
            throw .user(
                "no AWS credentials: grant the secrets aws_access_key_id and aws_secret_access_key to aloft.sagemaker "
                    + "(plugins.secrets in aloft.yaml) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                code: "Credentials")
        }
        return AWSJSONClient(
            service: .sageMaker, region: defaults.region, endpoint: defaults.endpoint, credentials: credentials,
            http: http)
    }

    private func call(_ api: AWSJSONClient, _ operation: String, _ body: JSON) throws(PluginError) -> JSON {
        do { return try api.call(operation, body) } catch { throw PluginError(error) }
    }

    /// Describes a job; nil when SageMaker has no such job.
    private func describe(_ api: AWSJSONClient, _ state: State) throws(PluginError) -> JSON? {
        let (operation, key) =
            state.kind == "tuning"
            ? ("DescribeHyperParameterTuningJob", "HyperParameterTuningJobName")
            : ("DescribeTrainingJob", "TrainingJobName")
        do { return try api.call(operation, .object([key: .string(state.name)])) } catch {
            if error.isNotFound { return nil }
            throw PluginError(error)
        }
    }

    public func submit(_ call: TaskCall) throws(PluginError) -> [UInt8] {
        let context = try call.context()
        let api = try client(call)
        let tuning = context.task.type == "sagemaker-tuning"
        let state = State(
            kind: tuning ? "tuning" : "training",
            name: tuning ? JobNames.tuning(call.executionID) : JobNames.training(call.executionID))
        // Idempotent: a job of this name means an earlier submit got through (some servers would silently
        // replace it on a second create).
        if try describe(api, state) != nil {
            host.log(.info, "SageMaker job \(state.name) exists already; re-attaching", task: call.executionID)
            return state.bytes
        }
        let training = try TrainingDefinition(context, defaults: defaults)
        var body: [String: JSON]
        let operation: String
        if tuning {
            body = try TuningDefinition(context, training: training, name: state.name).body
            operation = "CreateHyperParameterTuningJob"
        } else {
            body = training.body(staticHyperparameters: "HyperParameters")
            body["TrainingJobName"] = .string(state.name)
            operation = "CreateTrainingJob"
        }
        body["Tags"] = .array([
            .object(["Key": .string("aloft:execution"), "Value": .string(context.identity.execution)]),
            .object(["Key": .string("aloft:node"), "Value": .string(context.identity.node)]),
        ])
        do { _ = try api.call(operation, .object(body)) } catch {
            if error.isAlreadyThere { return state.bytes }  // a concurrent or lost first create
            throw PluginError(error)
        }
        return state.bytes
    }

    public func poll(_ call: TaskCall) throws(PluginError) -> PollResult {
        let context = try call.context()
        let state = try State(call.state)
        let api = try client(call)
        guard let job = try describe(api, state) else {
            return .failed(.system("SageMaker has no job \(state.name) any more", code: "JobLost", retryable: true))
        }
        let wait = Duration.milliseconds(Int64(defaults.pollSeconds * 1000))
        let statusKey = state.kind == "tuning" ? "HyperParameterTuningJobStatus" : "TrainingJobStatus"
        switch job[statusKey]?.stringValue ?? "" {
        case "InProgress":
            return .running(pollAfter: wait, status: Self.progress(job, kind: state.kind))
        case "Stopping":
            return .running(pollAfter: wait, status: "stopping")
        case "Completed":
            if state.kind == "tuning" { return try tuningOutputs(api, job, types: context.task.interface.outputs) }
            return .succeeded(try JobOutputs.training(job, types: context.task.interface.outputs))
        case "Failed":
            return .failed(Self.failure(job, name: state.name))
        case "Stopped":
            return .failed(.user("SageMaker job \(state.name) was stopped", code: "Stopped", retryable: false))
        case let other:
            return .running(pollAfter: wait, status: "status \(other)")
        }
    }

    public func abort(_ call: TaskCall) throws(PluginError) {
        let state = try State(call.state)
        let api = try client(call)
        let (operation, key) =
            state.kind == "tuning"
            ? ("StopHyperParameterTuningJob", "HyperParameterTuningJobName") : ("StopTrainingJob", "TrainingJobName")
        _ = try self.call(api, operation, .object([key: .string(state.name)]))
    }

    /// "Training: Training image download completed. Training in progress."
    static func progress(_ job: JSON, kind: String) -> String {
        if kind == "tuning" {
            let c = job["TrainingJobStatusCounters"]
            return
                "tuning: \(c?["Completed"]?.integerValue ?? 0) completed, \(c?["InProgress"]?.integerValue ?? 0) in progress"
        }
        let secondary = job["SecondaryStatus"]?.stringValue ?? "InProgress"
        let message = job["SecondaryStatusTransitions"]?.arrayValue?.last?["StatusMessage"]?.stringValue
        return message.map { "\(secondary): \($0)" } ?? secondary
    }

    /// An algorithm or data error is the user's (retried per the task's retries); SageMaker's own capacity or
    /// internal failures are system errors.
    static func failure(_ job: JSON, name: String) -> PluginError {
        let reason = job["FailureReason"]?.stringValue ?? "no reason given"
        let message = "SageMaker job \(name) failed: \(reason)"
        if reason.contains("CapacityError") || reason.contains("InternalServerError")
            || reason.contains("InsufficientCapacity")
        {
            return .system(message, code: "JobFailed", retryable: true)
        }
        return .user(message, code: "JobFailed", retryable: true)
    }

    private func tuningOutputs(_ api: AWSJSONClient, _ job: JSON, types: TypeMap) throws(PluginError) -> PollResult {
        guard let best = job["BestTrainingJob"], let bestName = best["TrainingJobName"]?.stringValue else {
            return .failed(.user("the tuning job finished without a best training job", code: "NoBestJob"))
        }
        guard let training = try describe(api, State(kind: "training", name: bestName)) else {
            return .failed(
                .system("the best training job \(bestName) cannot be described", code: "JobLost", retryable: true))
        }
        var extra: [String: Literal] = ["best_job": .string(bestName)]
        if let value = best["FinalHyperParameterTuningJobObjectiveMetric"]?["Value"]?.numberValue {
            extra["objective"] = .float(value)
        }
        return .succeeded(try JobOutputs.training(training, types: types, extra: extra))
    }
}

@_cdecl("aloft_plugin_entry")
public func aloftPluginEntry(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(SagemakerPlugin.self, host: host)
}
