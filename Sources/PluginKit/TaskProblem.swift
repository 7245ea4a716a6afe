import AloftWire

/// One step of a path into a task template: an object key or an array index.
public enum TaskPathComponent: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case key(String)
    case index(Int)

    public init(stringLiteral value: String) { self = .key(value) }
    public init(integerLiteral value: Int) { self = .index(value) }

    var json: JSON {
        switch self {
        case .key(let k): return .string(k)
        case .index(let i): return .integer(Int64(i))
        }
    }
}

/// A problem with a task's declaration, found when the spec is compiled, before anything runs.
///
/// `path` points into the task template as the plugin receives it (`TaskTemplate`'s JSON): `["config",
/// "spark_conf", "spark.executor.memory"]`, `["interface", "inputs", "day"]`. The compiler turns it into the
/// file, line and column of that place in the spec (or of the nearest enclosing place that exists there).
public struct TaskProblem: Sendable, Hashable {
    public var path: [TaskPathComponent]
    public var message: String

    public init(at path: [TaskPathComponent], _ message: String) {
        self.path = path
        self.message = message
    }

    public init(_ message: String, at path: TaskPathComponent...) {
        self.init(at: path, message)
    }

    /// `{"path": [...], "message": "..."}`, as the "aloft.task-check/1" extension carries it.
    var json: JSON { .object(["path": .array(path.map(\.json)), "message": .string(message)]) }
}
