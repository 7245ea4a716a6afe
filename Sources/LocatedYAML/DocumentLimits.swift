/// What a YAML document may cost to read: hostile input (a "billion laughs" of nested aliases, a file of
/// brackets, a multi-gigabyte file) is refused with its place and the limit, before it can exhaust memory or
/// the stack of whatever walks the values.
public struct DocumentLimits: Sendable, Equatable {
    /// The document's size in UTF-8 bytes.
    public var maxBytes: Int
    /// Collections inside collections, counting those an alias brings in where it stands.
    public var maxDepth: Int
    /// Values that aliases may add, per byte of the document: aliases make a document larger than its text,
    /// but only by so much.
    public var aliasNodesPerByte: Int
    /// Values that aliases may add to any one document, however large.
    public var maxAliasNodes: Int

    public init(
        maxBytes: Int = 64 << 20, maxDepth: Int = 256, aliasNodesPerByte: Int = 100, maxAliasNodes: Int = 1_000_000
    ) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.aliasNodesPerByte = aliasNodesPerByte
        self.maxAliasNodes = maxAliasNodes
    }

    /// Generous for real specs, configuration and inputs.
    public static let standard = DocumentLimits()

    /// The values aliases may add to a document of `bytes` bytes.
    public func aliasAllowance(bytes: Int) -> Int {
        min(
            maxAliasNodes,
            bytes.multipliedReportingOverflow(by: aliasNodesPerByte).overflow ? Int.max : bytes * aliasNodesPerByte)
    }

    /// `67108864` as `64 MiB`, for messages.
    public static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
