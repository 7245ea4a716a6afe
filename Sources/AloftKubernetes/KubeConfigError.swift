/// A kubeconfig or service-account setup that cannot be used: names the file, the field and the cause.
public struct KubeConfigError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
