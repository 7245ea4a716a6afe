/// A typed value: what flows along a workflow's edges, into plugins and out of them.
public indirect enum Literal: Sendable, Hashable {
    case none
    case integer(Int64)
    case float(Double)
    case string(String)
    case boolean(Bool)
    case datetime(Timestamp)
    case duration(Duration)
    case binary([UInt8])
    case structure([String: JSON])
    case blob(BlobValue)
    case dataset(DatasetValue)
    case list([Literal])
    case map([String: Literal])
    case enumeration(String)
}

/// A file or directory passed by reference.
public struct BlobValue: Sendable, Hashable {
    public var uri: String
    public var type: BlobType

    public init(uri: String, type: BlobType) {
        self.uri = uri
        self.type = type
    }
}

/// A structured dataset passed by reference.
public struct DatasetValue: Sendable, Hashable {
    public var uri: String
    public var format: String

    public init(uri: String, format: String) {
        self.uri = uri
        self.format = format
    }
}

/// Named literals: a task's inputs or outputs.
public typealias LiteralMap = [String: Literal]
