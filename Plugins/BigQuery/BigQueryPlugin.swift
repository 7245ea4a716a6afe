import AloftGoogle
import AloftHTTP
import Foundation
public import PluginKit
import Synchronization

/// BigQuery query jobs over the REST API v2, the asynchronous tier of the ABI: submit inserts the job under
/// an id derived from the task execution id (409 means an earlier submit got through: the job is ours),
/// poll gets it (PENDING, RUNNING, DONE with or without errorResult) and reads the outputs, abort cancels.
///
/// Task types: `bigquery_query_job_task` (Flyte's name) and `bigquery`. Task fields: `QueryJobDefinition`;
/// plugin config: `BigQuerySettings`. Credentials: a service-account key from the host secret
/// `gcp_service_account_key` (grant it under plugins.secrets) or the file GOOGLE_APPLICATION_CREDENTIALS
/// names; `credentials: none` for an emulator.
public final class BigQueryPlugin: Plugin {
    public static let info = PluginInfo(
        id: "aloft.bigquery", version: "0.1.0", description: "BigQuery query jobs (REST API v2, service-account auth)",
        taskTypes: ["bigquery_query_job_task", "bigquery"])

    private let host: HostServices
    private let settings: BigQuerySettings
    private let http: HTTPClient
    /// Made on first use (the key is read then), kept for the plugin's life with its token cache.
    private let connection = Mutex<Connection?>(nil)

    struct Connection: Sendable {
        let client: BigQueryClient
        /// The key's project_id, the last default for a task's project.
        let keyProject: String?
    }

    public init(config: JSON, host: HostServices) throws(PluginError) {
        self.host = host
        settings = try BigQuerySettings(config: config)
        http = HTTPClient(.init(log: { [host] line in host.log(.debug, "bigquery: " + line) }))
    }

    // MARK: - compile-time check

    public func check(_ task: TaskTemplate) -> [TaskProblem] {
        let (definition, problems) = QueryJobDefinition.read(task.config)
        return problems + InterfaceCheck.problems(task.interface)
            + TableInputs.problems(query: definition.query, inputs: task.interface.inputs)
    }

    // MARK: - the task's life

    public func submit(_ call: TaskCall) throws(PluginError) -> [UInt8] {
        let context = try call.context()
        let (definition, problems) = QueryJobDefinition.read(context.task.config)
        if let first =
            (problems + InterfaceCheck.problems(context.task.interface)
            + TableInputs.problems(query: definition.query, inputs: context.task.interface.inputs)).first
        {
            throw .user("task \(context.task.name): \(Self.place(first.path)): \(first.message)", code: "BadTask")
        }
        let connection = try connect()
        guard let project = definition.project ?? settings.project ?? connection.keyProject else {
            throw .user(
                "task \(context.task.name) needs a project: config.project, the plugin config's project, or the key's project_id",
                code: "NoProject")
        }
        var state = JobState(
            project: project, location: definition.location ?? settings.location,
            jobID: JobState.jobID(call.executionID), inserted: false)
        switch try insert(connection.client, state, context, definition) {
        case .inserted, .alreadyThere: state.inserted = true
        case .quota(let message):
            // Poll inserts it again, waiting for resources meanwhile.
            host.log(.info, "BigQuery job \(state.jobID) waits for quota: \(message)", task: call.executionID)
        }
        return state.bytes
    }

    public func poll(_ call: TaskCall) throws(PluginError) -> PollResult {
        let context = try call.context()
        var state = try JobState(call.state)
        let client = try connect().client
        if !state.inserted {
            let (definition, _) = QueryJobDefinition.read(context.task.config)
            switch try insert(client, state, context, definition) {
            case .inserted, .alreadyThere:
                state.inserted = true
                return PollResult(
                    phase: .queued, pollAfter: pollInterval, state: state.bytes,
                    statusMessage: "inserted after waiting for quota")
            case .quota(let message):
                state.quotaWaits += 1
                let wait = min(pollInterval * (1 << min(state.quotaWaits, 6)), .seconds(300))
                return PollResult(
                    phase: .waitingForResources, pollAfter: wait, state: state.bytes,
                    statusMessage: "waiting for BigQuery quota: \(message)")
            }
        }
        let job: JSON
        do { job = try client.getJob(project: state.project, jobID: state.jobID, location: state.location) } catch {
            switch error.kind {
            case .notFound:
                return .failed(.system("BigQuery has no job \(state.jobID) any more", code: "JobLost", retryable: true))
            case .rateLimited:
                return .running(pollAfter: pollInterval * 4, status: "rate limited: \(error.message)")
            default:
                throw PluginError(error)
            }
        }
        let statistics = Self.statistics(job)
        switch job["status"]?["state"]?.stringValue ?? "" {
        case "PENDING":
            return PollResult(phase: .queued, pollAfter: pollInterval, statusMessage: "pending")
        case "DONE":
            if let errorResult = job["status"]?["errorResult"] {
                return .failed(Self.failure(errorResult, jobID: state.jobID))
            }
            let outputs = try QueryJobOutputs(
                client: client, state: state, job: job, types: context.task.interface.outputs,
                outputPrefix: context.outputPrefix
            ).read()
            return PollResult(phase: .succeeded, outputs: outputs, statusMessage: "done: " + statistics)
        default:  // RUNNING
            return .running(pollAfter: pollInterval, status: "running: " + statistics)
        }
    }

    public func abort(_ call: TaskCall) throws(PluginError) {
        let state = try JobState(call.state)
        guard state.inserted else { return }
        let client = try connect().client
        do { _ = try client.cancelJob(project: state.project, jobID: state.jobID, location: state.location) } catch {
            if error.kind == .notFound { return }
            throw PluginError(error)
        }
    }

    // MARK: - parts

    private var pollInterval: Duration { .milliseconds(Int64(settings.pollSeconds * 1000)) }

    enum Inserted { case inserted, alreadyThere, quota(String) }

    private func insert(
        _ client: BigQueryClient, _ state: JobState, _ context: TaskContext, _ definition: QueryJobDefinition
    ) throws(PluginError) -> Inserted {
        let body = try definition.job(
            jobID: state.jobID, project: state.project, location: state.location, inputs: context.inputs,
            types: context.task.interface.inputs, taskExecutionID: context.taskExecutionID)
        do {
            _ = try client.insertJob(project: state.project, body)
            return .inserted
        } catch {
            switch error.kind {
            case .duplicate:
                // The id is this task execution's: an earlier insert got through (the answer was lost, or the host
                // died before storing the state). Poll gets the job.
                host.log(
                    .info, "BigQuery job \(state.jobID) exists already; fetching it instead",
                    task: context.taskExecutionID)
                return .alreadyThere
            case .quota: return .quota(error.message)
            default: throw PluginError(error)
            }
        }
    }

    private func connect() throws(PluginError) -> Connection {
        if let c = connection.withLock({ $0 }) { return c }
        var auth: AccessTokenSource?
        var keyProject: String?
        if !settings.anonymous {
            let (bytes, source) = try keyBytes()
            do {
                let key = try ServiceAccountKey(json: bytes, source: source)
                keyProject = key.projectID
                auth = AccessTokenSource(key: key, tokenURI: settings.tokenURI, http: http)
            } catch {
                throw .user(error.message, code: "Credentials")
            }
        }
        let made = Connection(
            client: BigQueryClient(endpoint: settings.endpoint, auth: auth, http: http), keyProject: keyProject)
        return connection.withLock { c in
            if c == nil { c = made }
            return c!
        }
    }

    /// The key's JSON and where it came from: the host secret, else GOOGLE_APPLICATION_CREDENTIALS.
    private func keyBytes() throws(PluginError) -> ([UInt8], String) {
        if let bytes = try? host.secret(settings.keySecret) { return (bytes, "the secret \(settings.keySecret)") }
        if let path = ProcessInfo.processInfo.environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .user("GOOGLE_APPLICATION_CREDENTIALS names \(path), which cannot be read", code: "Credentials")
            }
            return (Array(data), "the key file \(path) (GOOGLE_APPLICATION_CREDENTIALS)")
        }
        throw .user(
            "no BigQuery credentials: grant the secret \(settings.keySecret) to aloft.bigquery (plugins.secrets in aloft.yaml), "
                + "set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, or set credentials: none for an emulator",
            code: "Credentials")
    }

    /// A finished job's error: a wrong query is the user's, with BigQuery's message and location.
    static func failure(_ errorResult: JSON, jobID: String) -> PluginError {
        PluginError(BigQueryError(errorResult: errorResult, operation: "BigQuery job \(jobID)"))
    }

    /// "bytes processed 1024, bytes billed 10485760, slot ms 37, rows 2, cache hit no"
    static func statistics(_ job: JSON) -> String {
        let s = job["statistics"]
        let q = s?["query"]
        func number(_ j: JSON?) -> String { j?.stringValue ?? j?.integerValue.map { String($0) } ?? "0" }
        var parts = ["bytes processed \(number(q?["totalBytesProcessed"] ?? s?["totalBytesProcessed"]))"]
        if let billed = q?["totalBytesBilled"] { parts.append("bytes billed \(number(billed))") }
        parts.append("slot ms \(number(q?["totalSlotMs"] ?? s?["totalSlotMs"]))")
        if let rows = q?["totalRows"] { parts.append("rows \(number(rows))") }
        if let hit = q?["cacheHit"]?.boolValue { parts.append("cache hit \(hit ? "yes" : "no")") }
        return parts.joined(separator: ", ")
    }

    /// `config.write_disposition`, `interface.inputs.x`.
    static func place(_ path: [TaskPathComponent]) -> String {
        path.map { c -> String in
            switch c {
            case .key(let k): return k
            case .index(let i): return "[\(i)]"
            }
        }.joined(separator: ".")
    }
}

@_cdecl("aloft_plugin_entry")
public func aloftPluginEntry(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(BigQueryPlugin.self, host: host)
}
