import PluginKit

/// What a pod's status means for the task: its phase and its task container's state, mapped to a poll
/// result (docs/kubernetes.md has the table). Succeeded is left to the caller, which reads the outputs.
enum PodPhase {
    enum Outcome {
        case succeeded
        case poll(PollResult)
    }

    /// Image problems Kubernetes keeps retrying but that a user must fix.
    static let imageReasons: Set = ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"]
    static let configReasons: Set = ["CreateContainerConfigError", "CreateContainerError"]

    static func map(_ pod: JSON, name: String, memoryBytes: Int64?, pollAfter: Duration) -> Outcome {
        let status = pod["status"]
        let phase = status?["phase"]?.stringValue ?? "Pending"
        let container = status?["containerStatuses"]?.arrayValue?.first
        let waiting = container?["state"]?["waiting"]
        let terminated = container?["state"]?["terminated"]
        switch phase {
        case "Succeeded":
            return .succeeded
        case "Failed":
            return .poll(.failed(failure(status, terminated, name: name, memoryBytes: memoryBytes)))
        case "Running":
            let node = pod["spec"]?["nodeName"]?.stringValue.map { " on node \($0)" } ?? ""
            return .poll(.running(pollAfter: pollAfter, status: "pod \(name) running\(node)"))
        case "Unknown":
            return .poll(.running(pollAfter: pollAfter, status: "pod \(name): state unknown (its node lost contact)"))
        default:  // Pending
            let reason = waiting?["reason"]?.stringValue ?? ""
            let message = waiting?["message"]?.stringValue.map { ": " + $0 } ?? ""
            if imageReasons.contains(reason) {
                let image = pod["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue ?? "?"
                return .poll(
                    .failed(
                        .user(
                            "pod \(name) cannot pull its image \(image) (\(reason)\(message)); check the image name "
                                + "and the registry's pull secret (image_pull_secrets)", code: "ImagePull")))
            }
            if configReasons.contains(reason) {
                return .poll(
                    .failed(
                        .user(
                            "pod \(name) cannot start its container (\(reason)\(message))", code: "PodConfig")))
            }
            if let unschedulable = status?["conditions"]?.arrayValue?.first(where: {
                $0["type"]?.stringValue == "PodScheduled" && $0["status"]?.stringValue == "False"
            }) {
                let why = unschedulable["message"]?.stringValue ?? unschedulable["reason"]?.stringValue ?? ""
                return .poll(
                    PollResult(
                        phase: .waitingForResources, pollAfter: pollAfter,
                        statusMessage: "pod \(name) waiting for resources" + (why.isEmpty ? "" : ": " + why)))
            }
            return .poll(
                PollResult(
                    phase: .queued, pollAfter: pollAfter,
                    statusMessage: "pod \(name) pending" + (reason.isEmpty ? "" : " (\(reason))")))
        }
    }

    private static func failure(
        _ status: JSON?, _ terminated: JSON?, name: String, memoryBytes: Int64?
    )
        -> PluginError
    {
        let tail =
            terminated?["message"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }.map {
                "; its log ends with:\n" + $0.split(separator: "\n").suffix(5).joined(separator: "\n")
            } ?? ""
        if terminated?["reason"]?.stringValue == "OOMKilled" {
            return .user(
                "pod \(name) was killed for memory (OOMKilled)"
                    + (memoryBytes.map { ": its limit is \($0 / 1_048_576) MiB" } ?? "") + tail,
                code: "OutOfMemory", retryable: true)
        }
        if status?["reason"]?.stringValue == "DeadlineExceeded" {
            return .user(
                "pod \(name) ran past its active deadline (the task's timeout) and was stopped", code: "Timeout",
                retryable: true)
        }
        if status?["reason"]?.stringValue == "Evicted" {
            return .system(
                "pod \(name) was evicted: \(status?["message"]?.stringValue ?? "")", code: "Evicted", retryable: true)
        }
        guard let code = terminated?["exitCode"]?.integerValue else {
            let why = status?["message"]?.stringValue ?? status?["reason"]?.stringValue ?? "no reason given"
            return .system("pod \(name) failed: \(why)", code: "PodFailed", retryable: true)
        }
        if code == 70, tail.contains("aloft-pod-entrypoint") {
            return .system(
                "pod \(name): the entrypoint could not move the task's inputs or outputs" + tail, code: "PodBlobs",
                retryable: true)
        }
        return .user("the task exited with code \(code) (pod \(name))" + tail, code: "ExitCode\(code)", retryable: true)
    }
}
