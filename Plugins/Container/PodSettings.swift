import AloftKubernetes
import PluginKit

/// The container plugin's `kubernetes` section (plugins.config."aloft.container".kubernetes): the shared
/// connection keys (KubeSettings) and the pod backend's own:
///   entrypoint:   the command in the image that implements the pod's contract, run as ENTRYPOINT -- COMMAND
///                 (default [python3, /opt/aloft/aloft-pod-entrypoint.py]); [] runs the task's command as is
///   env_secret:   a Secret whose keys become the pod's environment (the S3 credentials the entrypoint uses)
///   poll_seconds: how often a pod is observed (default 2)
struct PodSettings: Sendable {
    static let place = "plugins.config.\"aloft.container\".kubernetes"
    var kube: KubeSettings
    var entrypoint = ["python3", "/opt/aloft/aloft-pod-entrypoint.py"]
    var envSecret: String?
    var pollSeconds = 2.0

    init(_ json: JSON?) throws(PluginError) {
        do {
            kube = try KubeSettings(json, place: Self.place, extraKeys: ["entrypoint", "env_secret", "poll_seconds"])
        } catch { throw PluginError(error) }
        if let v = json?["entrypoint"] {
            guard let parts = v.arrayValue?.compactMap(\.stringValue), parts.count == v.arrayValue?.count else {
                throw .user("\(Self.place).entrypoint must be a list of strings", code: "BadConfig")
            }
            entrypoint = parts
        }
        envSecret = json?["env_secret"]?.stringValue
        if let v = json?["poll_seconds"] {
            guard let n = v.numberValue, n > 0 else {
                throw .user("\(Self.place).poll_seconds must be a number above 0", code: "BadConfig")
            }
            pollSeconds = n
        }
    }

    var pollAfter: Duration { .milliseconds(Int64(pollSeconds * 1000)) }

    /// A client on the connection the settings name, read now.
    func client(_ host: HostServices) throws(PluginError) -> KubeClient {
        let connection: KubeConnection
        do { connection = try kube.connection() } catch { throw PluginError(error) }
        return KubeClient(connection, log: { line in host.log(.debug, "kubernetes: " + line) })
    }
}
