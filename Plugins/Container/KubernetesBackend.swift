import AloftAWS
import AloftKubernetes
import AloftTaskIO
import Foundation
import PluginKit

/// Runs a container task as a Kubernetes pod: one pod per attempt, named from the task execution id, so a
/// repeated submit (a host that crashed after the create) finds the pod the first one made (409 -> get).
/// Inputs and outputs go through the S3 blob store (AttemptBlobs): submit writes the attempt's manifest, the
/// pod's entrypoint (pod/aloft-pod-entrypoint.py) downloads the inputs and uploads the outputs, and the poll
/// that sees the pod succeed reads them from S3. The resource state is the pod's namespace and name (and the
/// server, for log links), so a restarted host polls the same pod.
struct KubernetesBackend {
    let host: HostServices
    let settings: PodSettings

    struct State {
        var server: String
        var namespace: String
        var name: String

        var bytes: [UInt8] {
            JSONWriter.encode(
                .object([
                    "backend": .string("kubernetes"), "server": .string(server), "namespace": .string(namespace),
                    "name": .string(name),
                ]))
        }

        init(server: String, namespace: String, name: String) {
            self.server = server
            self.namespace = namespace
            self.name = name
        }

        init?(_ bytes: [UInt8]) {
            guard let j = try? JSONParser.parse(bytes), j["backend"]?.stringValue == "kubernetes",
                let server = j["server"]?.stringValue, let namespace = j["namespace"]?.stringValue,
                let name = j["name"]?.stringValue
            else { return nil }
            self.init(server: server, namespace: namespace, name: name)
        }

        var logURL: String { "\(server)/api/v1/namespaces/\(namespace)/pods/\(name)/log?container=task" }
    }

    /// The local contract's paths as the pod sees them: /aloft/work, /aloft/out.
    static func podIO(_ call: TaskCall) -> TaskIO {
        TaskIO(outputPrefix: "file://" + AttemptBlobs.podRoot, fallbackRoot: "", taskExecutionID: call.executionID)
    }

    func submit(_ call: TaskCall, _ context: TaskContext, spec: ContainerSpec) throws(PluginError) -> [UInt8] {
        guard let image = spec.image else {
            throw .user(
                "task \(context.task.name) runs on Kubernetes but names no image; set container.image in the task "
                    + "or image in the plugin config", code: "NoImage")
        }
        guard !spec.command.isEmpty else {
            throw .user(
                "task \(context.task.name) runs on Kubernetes and needs a command (the entrypoint runs it)",
                code: "NoCommand")
        }
        guard spec.mounts.isEmpty else {
            throw .user(
                "task \(context.task.name) runs on Kubernetes, where host paths cannot be mounted; pass files as "
                    + "blob inputs (downloaded into the pod) instead of container.mounts", code: "BadMount")
        }
        let client = try settings.client(host)
        let name = KubeNames.objectName(call.executionID)
        let state = State(server: client.connection.server, namespace: client.connection.namespace, name: name)
        // A repeated submit: the pod is there, its inputs were written before it was made.
        if try kube({ () throws(KubeError) in try client.get(.pods, name: name) }) != nil {
            host.log(.info, "pod \(name) exists; re-attaching", task: call.executionID)
            return state.bytes
        }
        let blobs = try AttemptBlobs(
            prefix: context.outputPrefix, s3: try AttemptBlobs.client(host: host, settings: settings.kube))
        try blobs.writeInputs(context.inputs)
        let pod = podBody(call, context, spec: spec, image: image, name: name, blobs: blobs, namespace: state.namespace)
        let created = try kube({ () throws(KubeError) in try client.create(.pods, pod) })
        if case .existing = created { host.log(.info, "pod \(name) was created before", task: call.executionID) }
        return state.bytes
    }

    func poll(
        _ call: TaskCall, _ state: State, _ context: TaskContext, memoryBytes: Int64?
    ) throws(PluginError)
        -> PollResult
    {
        let client = try settings.client(host)
        guard
            let pod = try kube({ () throws(KubeError) in
                try client.get(.pods, name: state.name, namespace: state.namespace)
            })
        else {
            return .failed(
                .system(
                    "pod \(state.namespace)/\(state.name) is gone (deleted outside Aloft, or evicted and removed)",
                    code: "PodLost", retryable: true))
        }
        switch PodPhase.map(
            pod, name: "\(state.namespace)/\(state.name)", memoryBytes: memoryBytes, pollAfter: settings.pollAfter)
        {
        case .poll(let result): return result
        case .succeeded:
            let blobs = try AttemptBlobs(
                prefix: context.outputPrefix, s3: try AttemptBlobs.client(host: host, settings: settings.kube))
            return .succeeded(try blobs.outputs(context.task.interface.outputs))
        }
    }

    /// Deletes the pod (abort, and finalize once the attempt is over); a pod already gone is fine.
    func delete(_ state: State, gracePeriodSeconds: Int? = nil) {
        do {
            let client = try settings.client(host)
            try client.delete(
                .pods, name: state.name, namespace: state.namespace, gracePeriodSeconds: gracePeriodSeconds)
        } catch {
            host.log(.warning, "cannot delete pod \(state.namespace)/\(state.name): \(error.message)")
        }
    }

    private func podBody(
        _ call: TaskCall, _ context: TaskContext, spec: ContainerSpec, image: String, name: String,
        blobs: AttemptBlobs, namespace: String
    ) -> JSON {
        var environment = spec.env
        environment.merge(Self.podIO(call).aloftEnvironment(call, context)) { _, aloft in aloft }
        environment["ALOFT_POD_MANIFEST"] = blobs.manifestURI
        environment["ALOFT_OUTPUT_URI"] = blobs.outputURI
        var container: [String: JSON] = [
            "name": .string("task"), "image": .string(image),
            "command": .array(
                (settings.entrypoint.isEmpty ? spec.command : settings.entrypoint + ["--"] + spec.command).map(
                    JSON.string)),
            "env": .array(
                environment.keys.sorted().map { .object(["name": .string($0), "value": .string(environment[$0]!)]) }),
            // On a failure the end of the log becomes the container's termination message: the error shows it.
            "terminationMessagePolicy": .string("FallbackToLogsOnError"),
        ]
        if let secret = settings.envSecret {
            container["envFrom"] = .array([.object(["secretRef": .object(["name": .string(secret)])])])
        }
        var requests: [String: JSON] = [:]
        var limits: [String: JSON] = [:]
        if let memory = spec.memoryBytes {
            requests["memory"] = .string(String(memory))
            limits["memory"] = .string(String(memory))
        }
        if let cpu = spec.cpus {
            let millicores = JSON.string("\(Int((cpu * 1000).rounded()))m")
            requests["cpu"] = millicores
            limits["cpu"] = millicores
        }
        if let gpu = context.task.extra["resources"]?["gpu"]?.integerValue, gpu > 0 {
            limits["nvidia.com/gpu"] = .string(String(gpu))
        }
        if !requests.isEmpty || !limits.isEmpty {
            container["resources"] = .object(["requests": .object(requests), "limits": .object(limits)])
        }
        var podSpec: [String: JSON] = [
            "restartPolicy": .string("Never"), "containers": .array([.object(container)]),
        ]
        if let timeout = context.task.extra["timeout"]?.stringValue.flatMap(Duration.init(aloftWireString:)) {
            podSpec["activeDeadlineSeconds"] = .integer(
                max(1, timeout.components.seconds + (timeout.components.attoseconds > 0 ? 1 : 0)))
        }
        if let account = settings.kube.serviceAccount { podSpec["serviceAccountName"] = .string(account) }
        if !settings.kube.imagePullSecrets.isEmpty {
            podSpec["imagePullSecrets"] = .array(settings.kube.imagePullSecrets.map { .object(["name": .string($0)]) })
        }
        return .object([
            "apiVersion": .string("v1"), "kind": .string("Pod"),
            "metadata": .object([
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object(KubeLabels.make(call: call, context: context)),
                "annotations": .object(["aloft.io/task-execution-id": .string(call.executionID)]),
            ]),
            "spec": .object(podSpec),
        ])
    }

    private func kube<T>(_ body: () throws(KubeError) -> T) throws(PluginError) -> T {
        do { return try body() } catch { throw PluginError(error) }
    }
}

extension Error {
    fileprivate var message: String { "\(self)" }
}
