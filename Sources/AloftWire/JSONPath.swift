/// One step of a path into a JSON document: an object member or an array element.
public enum JSONPathStep: Sendable, Hashable, CustomStringConvertible {
    case key(String)
    case index(Int)

    /// `config.spark_conf."spark.executor.memory"`-style text, for messages.
    public var description: String {
        switch self {
        case .key(let k): return k.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } ? k : "\"\(k)\""
        case .index(let i): return "[\(i)]"
        }
    }
}
