/// A namespaced resource type of the API: where its objects live (`<group path>/namespaces/NS/<plural>`).
public struct KubeResource: Sendable, Equatable {
    /// `/api/v1` for the core group, `/apis/GROUP/VERSION` for the others.
    public let groupPath: String
    public let plural: String
    public let kind: String

    public init(groupPath: String, plural: String, kind: String) {
        self.groupPath = groupPath
        self.plural = plural
        self.kind = kind
    }

    public var apiVersion: String {
        groupPath == "/api/v1" ? "v1" : String(groupPath.dropFirst("/apis/".count))
    }

    public static let pods = KubeResource(groupPath: "/api/v1", plural: "pods", kind: "Pod")
    public static let sparkApplications = KubeResource(
        groupPath: "/apis/sparkoperator.k8s.io/v1beta2", plural: "sparkapplications", kind: "SparkApplication")

    public func path(namespace: String, name: String? = nil) -> String {
        "\(groupPath)/namespaces/\(namespace)/\(plural)" + (name.map { "/" + $0 } ?? "")
    }
}
