import AloftHTTP
import AloftTaskIO
import Foundation
import PluginKit

/// A Spark standalone cluster (`spark://HOST:PORT`), through the master's REST submission server: the
/// driver runs in cluster mode on a worker, so it outlives the host, and the submission id in the resource
/// state is all a restarted host needs to poll or kill it.
///
/// Why REST and not `spark-submit --deploy-mode cluster`: spark-submit refuses Python applications in
/// cluster mode on standalone clusters, and in client mode the driver would be a child of the host (a host
/// crash would kill the job). The REST server runs Python drivers through `PythonRunner` (the request
/// spark-submit itself would send for a jar). The server has no idempotency key: the submission id is
/// written to the attempt's directory the moment the server answers, and a repeated submit finds it there;
/// a crash between the server's answer and that write can leave one driver nobody tracks (docs/spark.md).
struct StandaloneBackend {
    let host: HostServices
    let settings: SparkSettings
    let http: HTTPClient

    func submit(
        _ call: TaskCall, _ context: TaskContext, job: SparkJobSpec, io: TaskIO
    ) throws(PluginError) -> SparkState {
        guard let master = job.master ?? settings.master else {
            throw .user(
                "the standalone backend needs a master: set master in the task's config or in plugins.config.\"aloft.spark\"",
                code: "NoMaster")
        }
        let rest = settings.restURL ?? Self.restURL(master)
        let recorded = io.work + "/submission"
        if let id = (try? String(contentsOfFile: recorded, encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines), !id.isEmpty
        {
            host.log(
                .info, "driver \(id) of \(call.executionID) was submitted before; re-attaching", task: call.executionID)
            return .standalone(submissionID: id, restURL: rest, masterUI: settings.masterUI)
        }
        try io.prepare(context)
        let arguments = try SparkSubmitArguments(job, call: call, context: context, io: io)
        let body = try createRequest(
            job, arguments: arguments, master: master,
            environment:
                SparkEnvironment.make(job, call: call, context: context, io: io, settings: settings))
        let response = try send(
            HTTPRequest(
                "POST", rest + "/v1/submissions/create", headers: [("Content-Type", "application/json")],
                body: JSONWriter.encode(body), retryable: false), what: "submit to the Spark master at \(rest)")
        guard response["success"]?.boolValue == true, let id = response["submissionId"]?.stringValue else {
            throw .system(
                "the Spark master at \(rest) refused the submission: \(response["message"]?.stringValue ?? JSONWriter.string(response))",
                code: "SubmissionRefused", retryable: false)
        }
        do { try Data(id.utf8).write(to: URL(fileURLWithPath: recorded)) } catch {
            host.log(.warning, "cannot record submission \(id) in \(recorded): \(error)", task: call.executionID)
        }
        return .standalone(submissionID: id, restURL: rest, masterUI: settings.masterUI)
    }

    func poll(_ call: TaskCall, id: String, rest: String, io: TaskIO, types: TypeMap) throws(PluginError) -> PollResult
    {
        let status = try send(
            HTTPRequest("GET", rest + "/v1/submissions/status/" + id),
            what: "ask the Spark master at \(rest) about \(id)")
        guard status["success"]?.boolValue == true else {
            throw .system(
                "the Spark master at \(rest) does not know driver \(id): \(status["message"]?.stringValue ?? "")",
                code: "DriverUnknown", retryable: false)
        }
        let state = status["driverState"]?.stringValue ?? "UNKNOWN"
        switch state {
        case "FINISHED":
            return .succeeded(try io.outputs(types))
        case "FAILED", "ERROR":
            let message = status["message"]?.stringValue.map { "; " + $0 } ?? ""
            let why =
                driverError(id, worker: status["workerId"]?.stringValue).map { "; the driver's last error:\n" + $0 }
                ?? ""
            return .failed(
                .user("Spark driver \(id) ended \(state)\(message)\(why)", code: "SparkJobFailed", retryable: true))
        case "KILLED":
            return PollResult(phase: .aborted, statusMessage: "driver \(id) killed")
        case "SUBMITTED", "RELAUNCHING":
            return PollResult(phase: .queued, pollAfter: pollAfter, statusMessage: "driver \(id) \(state.lowercased())")
        default:
            let worker = status["workerHostPort"]?.stringValue.map { " on worker \($0)" } ?? ""
            return .running(pollAfter: pollAfter, status: "driver \(id) \(state.lowercased())\(worker)")
        }
    }

    func abort(id: String, rest: String) throws(PluginError) {
        let answer = try send(
            HTTPRequest("POST", rest + "/v1/submissions/kill/" + id, retryable: true),
            what: "kill driver \(id) at \(rest)")
        // A driver that already ended cannot be killed; that is what abort wants anyway.
        if answer["success"]?.boolValue != true {
            host.log(.info, "kill of driver \(id): \(answer["message"]?.stringValue ?? "not killed")")
        }
    }

    /// The failed driver's last error, from its logs on the worker that ran it (the worker UI's `/log`,
    /// found through the master's `/json`). Nil when either UI does not answer.
    private func driverError(_ id: String, worker: String?) -> String? {
        guard let masterUI = settings.masterUI, let worker,
            let cluster = try? send(HTTPRequest("GET", masterUI + "/json/"), what: "read the master's state"),
            let ui = cluster["workers"]?.arrayValue?.first(where: { $0["id"]?.stringValue == worker })?["webuiaddress"]?
                .stringValue
        else { return nil }
        func log(_ type: String) -> [String] {
            let url = "\(ui)/log/?driverId=\(id)&logType=\(type)&byteLength=65536"
            guard let r = try? http.send(HTTPRequest("GET", url, timeoutMilliseconds: 5_000)), r.isSuccess else {
                return []
            }
            // the worker's "==== Bytes a-b of n ====" header
            return Array(DriverLog.lines(r.text).drop { $0.hasPrefix("==== ") })
        }
        let error = DriverLog.lastError(stdout: log("stdout"), stderr: log("stderr"))
        return error.isEmpty ? nil : error
    }

    private var pollAfter: Duration { .milliseconds(Int64(settings.pollSeconds * 1000)) }

    private func createRequest(
        _ job: SparkJobSpec, arguments: SparkSubmitArguments, master: String,
        environment: [String: String]
    ) throws(PluginError) -> JSON {
        var properties: [String: JSON] = [
            "spark.master": .string(master), "spark.submit.deployMode": .string("cluster"),
            "spark.app.name": .string(arguments.name), "spark.driver.supervise": .string("false"),
        ]
        for (k, v) in arguments.properties { properties[k] = .string(v) }
        if !job.jars.isEmpty { properties["spark.jars"] = .string(job.jars.joined(separator: ",")) }
        let app = SparkJobSpec.localPath(job.application)
        let mainClass: String
        var appArgs: [JSON]
        if job.isPython {
            // PythonRunner's arguments: the file, the extra Python files (comma-separated), then the job's own.
            mainClass = "org.apache.spark.deploy.PythonRunner"
            appArgs = [.string(app), .string(job.pyFiles.map(SparkJobSpec.localPath).joined(separator: ","))]
            if !job.pyFiles.isEmpty { properties["spark.submit.pyFiles"] = .string(job.pyFiles.joined(separator: ",")) }
        } else {
            mainClass = job.mainClass ?? ""
            appArgs = []
        }
        appArgs += arguments.appArgs.map(JSON.string)
        return .object([
            "action": .string("CreateSubmissionRequest"), "appResource": .string("file:" + app),
            "mainClass": .string(mainClass),
            "appArgs": .array(appArgs), "clientSparkVersion": .string(settings.sparkVersion),
            "environmentVariables": .object(
                environment.filter { $0.key != "PATH" && $0.key != "HOME" }.mapValues(JSON.string)),
            "sparkProperties": .object(properties),
        ])
    }

    /// One REST exchange; no answer is a retryable system error naming the address.
    private func send(_ request: HTTPRequest, what: String) throws(PluginError) -> JSON {
        let response: HTTPResponse
        do { response = try http.send(request) } catch {
            throw .system("cannot \(what): \(error.message)", code: "MasterUnreachable", retryable: true)
        }
        guard let json = try? JSONParser.parse(response.body) else {
            throw .system(
                "cannot \(what): HTTP \(response.status) with a body that is not JSON", code: "MasterAnswer",
                retryable: response.status >= 500)
        }
        return json
    }

    /// http://HOST:6066 for spark://HOST:PORT, the REST server's default port.
    static func restURL(_ master: String) -> String {
        let hostPort = master.replacingOccurrences(of: "spark://", with: "")
        return "http://" + (hostPort.split(separator: ":").first.map(String.init) ?? hostPort) + ":6066"
    }
}
