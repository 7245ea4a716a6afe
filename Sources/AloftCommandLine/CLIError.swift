import AloftSystem
public import FoundationEssentials

/// A user-facing failure: printed as `error: <message>`, exit code 1.
public struct CLIError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

extension CLIError: LocalizedError {
    public var errorDescription: String? { description }
}

/// stderr as a stream for `print(_:to:)`.
public struct StandardError: TextOutputStream {
    public init() {}
    public mutating func write(_ string: String) { StandardStreams.writeError(string) }
}
