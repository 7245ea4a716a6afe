/// The type of a task or workflow input or output: Flyte's type set.
public indirect enum LiteralType: Sendable, Hashable {
    case none
    case integer
    case float
    case string
    case boolean
    case datetime
    case duration
    case binary
    /// A JSON object with no fixed schema.
    case structure
    case blob(BlobType)
    case dataset(DatasetType)
    case list(LiteralType)
    /// A map from string keys to values of one type.
    case map(LiteralType)
    case enumeration([String])
    /// One of several types. `optional(T)` is `union([T, none])`.
    case union([LiteralType])

    /// An input of this type may be left out: an optional (a union with none).
    public var acceptsNone: Bool {
        if case .union(let variants) = self { return variants.contains(.none) }
        return false
    }

    public static func optional(_ wrapped: LiteralType) -> LiteralType {
        if case .union(let variants) = wrapped {
            return variants.contains(.none) ? wrapped : .union(variants + [.none])
        }
        return .union([wrapped, .none])
    }
}

public struct BlobType: Sendable, Hashable {
    public enum Dimensionality: String, Sendable, Hashable { case file, directory }
    /// Free-form format tag, e.g. "csv", "joblib"; empty means any.
    public var format: String
    public var dimensionality: Dimensionality

    public init(format: String = "", dimensionality: Dimensionality = .file) {
        self.format = format
        self.dimensionality = dimensionality
    }
}

public struct DatasetType: Sendable, Hashable {
    public struct Column: Sendable, Hashable {
        public var name: String
        public var type: LiteralType
        public init(name: String, type: LiteralType) {
            self.name = name
            self.type = type
        }
    }

    /// e.g. "parquet", "csv"; empty means any.
    public var format: String
    /// Empty means the columns are not declared.
    public var columns: [Column]

    public init(format: String = "", columns: [Column] = []) {
        self.format = format
        self.columns = columns
    }
}

extension LiteralType: CustomStringConvertible {
    /// The type as people write it: `list<map<float>>`, `blob<csv>`, `optional<string>`.
    public var description: String {
        switch self {
        case .none: return "none"
        case .integer: return "integer"
        case .float: return "float"
        case .string: return "string"
        case .boolean: return "boolean"
        case .datetime: return "datetime"
        case .duration: return "duration"
        case .binary: return "binary"
        case .structure: return "struct"
        case .blob(let b):
            let name = b.dimensionality == .file ? "blob" : "directory"
            return b.format.isEmpty ? name : "\(name)<\(b.format)>"
        case .dataset(let d): return d.format.isEmpty ? "dataset" : "dataset<\(d.format)>"
        case .list(let t): return "list<\(t)>"
        case .map(let t): return "map<\(t)>"
        case .enumeration(let values): return "enum{\(values.joined(separator: ","))}"
        case .union(let variants):
            if variants.count == 2, let i = variants.firstIndex(of: .none) {
                return "optional<\(variants[1 - i])>"
            }
            return "union<\(variants.map(\.description).joined(separator: ","))>"
        }
    }
}
