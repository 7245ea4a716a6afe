/// A document that is valid JSON but not a valid Aloft value: where (a JSON path such as
/// `inputs.rows.list[3]`) and why.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }

    static func at(_ path: String, _ reason: String) -> WireError { WireError(path: path, reason: reason) }
}

func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
