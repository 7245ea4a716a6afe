import AloftKubernetes
import AloftTaskIO
import PluginKit

/// Spark on Kubernetes through the Spark operator: one `SparkApplication` (sparkoperator.k8s.io/v1beta2) per
/// attempt, named from the task execution id (a repeated submit gets 409 and takes the existing one). The
/// operator runs spark-submit in the cluster; the phase is `.status.applicationState.state`. Inputs and
/// outputs go through the S3 blob store: `{{output_dir}}` is the attempt's out/ prefix as an s3a:// URI
/// (Spark's Hadoop S3 connector), blob inputs are their s3a:// URIs, and the outputs are read from S3 when
/// the application completes (AttemptBlobs). Abort deletes the application (the operator removes its pods).
struct KubernetesBackend {
    let host: HostServices
    let settings: SparkSettings

    func submit(_ call: TaskCall, _ context: TaskContext, job: SparkJobSpec) throws(PluginError) -> SparkState {
        let k8s = settings.kubernetes
        guard let image = k8s.image else {
            throw .user(
                "the kubernetes backend for Spark needs an image: set image in \(SparkOnKubernetesSettings.place)",
                code: "NoImage")
        }
        let client = try k8s.client(host)
        let name = KubeNames.objectName(call.executionID)
        let state = SparkState.kubernetes(
            server: client.connection.server, namespace: client.connection.namespace, name: name)
        if try kube({ () throws(KubeError) in try client.get(.sparkApplications, name: name) }) != nil {
            host.log(.info, "SparkApplication \(name) exists; re-attaching", task: call.executionID)
            return state
        }
        let blobs = try AttemptBlobs(
            prefix: context.outputPrefix, s3: try AttemptBlobs.client(host: host, settings: settings.kubernetes.kube))
        try blobs.writeInputs(context.inputs)
        // Placeholders as the driver sees them: the attempt's S3 locations, s3a:// for Hadoop.
        var remote = context
        remote.inputs = context.inputs.mapValues(Self.s3a)
        let io = TaskIO(
            outputPrefix: "file://" + Self.s3a(blobs.prefix), fallbackRoot: "", taskExecutionID: call.executionID)
        let arguments = try SparkSubmitArguments(job, call: call, context: remote, io: io)
        var environment = job.env
        environment.merge(io.aloftEnvironment(call, context)) { _, aloft in aloft }
        environment["ALOFT_OUTPUT_URI"] = blobs.outputURI
        let body = application(
            job, arguments: arguments, image: image, name: name, namespace: state.namespaceName,
            labels: KubeLabels.make(call: call, context: context), environment: environment, call: call)
        _ = try kube({ () throws(KubeError) in try client.create(.sparkApplications, body) })
        return state
    }

    func poll(
        _ call: TaskCall, _ context: TaskContext, namespace: String, name: String
    ) throws(PluginError) -> PollResult {
        let client = try settings.kubernetes.client(host)
        let what = "SparkApplication \(namespace)/\(name)"
        guard
            let app = try kube({ () throws(KubeError) in
                try client.get(.sparkApplications, name: name, namespace: namespace)
            })
        else {
            return .failed(
                .system("\(what) is gone (deleted outside Aloft)", code: "SparkApplicationLost", retryable: true))
        }
        let status = app["status"]
        let state = status?["applicationState"]?["state"]?.stringValue ?? ""
        let error = status?["applicationState"]?["errorMessage"]?.stringValue.map { ": " + $0 } ?? ""
        let pollAfter = Duration.milliseconds(Int64(settings.pollSeconds * 1000))
        switch state {
        case "COMPLETED":
            let types = context.task.interface.outputs
            if types.isEmpty { return .succeeded([:]) }
            let blobs = try AttemptBlobs(
                prefix: context.outputPrefix,
                s3: try AttemptBlobs.client(host: host, settings: settings.kubernetes.kube))
            return .succeeded(try blobs.outputs(types))
        case "FAILED":
            return .failed(.user("\(what) failed\(error)", code: "SparkJobFailed", retryable: true))
        case "SUBMISSION_FAILED":
            return .failed(
                .user("\(what) could not be submitted by the operator\(error)", code: "SubmissionFailed"))
        case "", "NEW", "SUBMITTED":
            return PollResult(
                phase: .queued, pollAfter: pollAfter,
                statusMessage: "\(what) \(state.isEmpty ? "waiting for the operator" : state.lowercased())")
        default:  // RUNNING, PENDING_RERUN, INVALIDATING, SUCCEEDING, FAILING, UNKNOWN
            let executors = status?["executorState"]?.objectValue?.values.filter { $0.stringValue == "RUNNING" }.count
            return .running(
                pollAfter: pollAfter,
                status: "\(what) \(state.lowercased())" + (executors.map { ", \($0) executors running" } ?? ""))
        }
    }

    func abort(namespace: String, name: String) {
        do {
            try settings.kubernetes.client(host).delete(.sparkApplications, name: name, namespace: namespace)
        } catch {
            host.log(.warning, "cannot delete SparkApplication \(namespace)/\(name): \(error)")
        }
    }

    private func application(
        _ job: SparkJobSpec, arguments: SparkSubmitArguments, image: String, name: String, namespace: String,
        labels: [String: JSON], environment: [String: String], call: TaskCall
    ) -> JSON {
        let env = JSON.array(
            environment.keys.sorted().map { .object(["name": .string($0), "value": .string(environment[$0]!)]) })
        var driver: [String: JSON] = [
            "cores": .integer(Int64(job.driver.cores ?? 1)), "memory": .string(job.driver.memory ?? "512m"),
            "labels": .object(labels), "env": env,
        ]
        if let account = settings.kubernetes.kube.serviceAccount { driver["serviceAccount"] = .string(account) }
        let executor: [String: JSON] = [
            "cores": .integer(Int64(job.executor.cores ?? 1)), "memory": .string(job.executor.memory ?? "512m"),
            "instances": .integer(Int64(job.executor.instances ?? 1)), "labels": .object(labels), "env": env,
        ]
        var spec: [String: JSON] = [
            "type": .string(job.isPython ? "Python" : "Java"), "mode": .string("cluster"), "image": .string(image),
            "mainApplicationFile": .string(job.application), "arguments": .array(arguments.appArgs.map(JSON.string)),
            "sparkVersion": .string(settings.kubernetes.sparkVersion ?? settings.sparkVersion),
            "sparkConf": .object(
                Dictionary(
                    [("spark.ui.showConsoleProgress", "false")] + job.sparkConf, uniquingKeysWith: { _, task in task }
                ).mapValues(JSON.string)),
            "restartPolicy": .object(["type": .string("Never")]),
            "driver": .object(driver), "executor": .object(executor),
        ]
        if job.isPython { spec["pythonVersion"] = .string("3") }
        if let main = job.mainClass { spec["mainClass"] = .string(main) }
        if !job.hadoopConf.isEmpty {
            spec["hadoopConf"] = .object(
                Dictionary(job.hadoopConf, uniquingKeysWith: { a, _ in a }).mapValues(JSON.string))
        }
        if !job.pyFiles.isEmpty || !job.jars.isEmpty {
            var deps: [String: JSON] = [:]
            if !job.pyFiles.isEmpty { deps["pyFiles"] = .array(job.pyFiles.map(JSON.string)) }
            if !job.jars.isEmpty { deps["jars"] = .array(job.jars.map(JSON.string)) }
            spec["deps"] = .object(deps)
        }
        if let policy = settings.kubernetes.imagePullPolicy { spec["imagePullPolicy"] = .string(policy) }
        if !settings.kubernetes.kube.imagePullSecrets.isEmpty {
            spec["imagePullSecrets"] = .array(settings.kubernetes.kube.imagePullSecrets.map(JSON.string))
        }
        return .object([
            "apiVersion": .string("sparkoperator.k8s.io/v1beta2"), "kind": .string("SparkApplication"),
            "metadata": .object([
                "name": .string(name), "namespace": .string(namespace), "labels": .object(labels),
                "annotations": .object(["aloft.io/task-execution-id": .string(call.executionID)]),
            ]),
            "spec": .object(spec),
        ])
    }

    /// s3:// URIs as Hadoop's S3A connector names them.
    static func s3a(_ uri: String) -> String { uri.hasPrefix("s3://") ? "s3a://" + uri.dropFirst("s3://".count) : uri }

    static func s3a(_ literal: Literal) -> Literal {
        switch literal {
        case .blob(var b):
            b.uri = s3a(b.uri)
            return .blob(b)
        case .dataset(var d):
            d.uri = s3a(d.uri)
            return .dataset(d)
        case .list(let items): return .list(items.map(s3a))
        case .map(let m): return .map(m.mapValues(s3a))
        default: return literal
        }
    }

    private func kube<T>(_ body: () throws(KubeError) -> T) throws(PluginError) -> T {
        do { return try body() } catch { throw PluginError(error) }
    }
}
