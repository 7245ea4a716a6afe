import AloftKubernetes
import PluginKit

/// The Spark plugin's `kubernetes` section (plugins.config."aloft.spark".kubernetes): the shared connection
/// keys (KubeSettings) and the SparkApplication's own:
///   image:             the Spark image the driver and executors run (required for this backend)
///   spark_version:     spec.sparkVersion (default the local installation's, else 4.0.0)
///   image_pull_policy: IfNotPresent, Always or Never (default: the operator's)
struct SparkOnKubernetesSettings: Sendable {
    static let place = "plugins.config.\"aloft.spark\".kubernetes"
    var kube: KubeSettings
    var image: String?
    var sparkVersion: String?
    var imagePullPolicy: String?

    init(_ json: JSON?) throws(PluginError) {
        do {
            kube = try KubeSettings(
                json, place: Self.place, extraKeys: ["image", "spark_version", "image_pull_policy"])
        } catch { throw PluginError(error) }
        image = json?["image"]?.stringValue
        sparkVersion = json?["spark_version"]?.stringValue
        imagePullPolicy = json?["image_pull_policy"]?.stringValue
        if let p = imagePullPolicy, !["IfNotPresent", "Always", "Never"].contains(p) {
            throw .user(
                "\(Self.place).image_pull_policy must be IfNotPresent, Always or Never, found \"\(p)\"",
                code: "BadConfig")
        }
    }

    func client(_ host: HostServices) throws(PluginError) -> KubeClient {
        let connection: KubeConnection
        do { connection = try kube.connection() } catch { throw PluginError(error) }
        return KubeClient(connection, log: { line in host.log(.debug, "kubernetes: " + line) })
    }
}
