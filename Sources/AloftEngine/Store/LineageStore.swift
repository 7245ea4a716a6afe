import FoundationEssentials

/// One input of a node and the output it was read from: lineage.
public struct LineageEdge: Sendable, Equatable, Hashable {
    public var execution: String
    public var node: String
    public var input: String
    public var sourceExecution: String
    public var sourceNode: String
    public var sourceOutput: String

    public init(
        execution: String, node: String, input: String, sourceExecution: String, sourceNode: String,
        sourceOutput: String
    ) {
        self.execution = execution
        self.node = node
        self.input = input
        self.sourceExecution = sourceExecution
        self.sourceNode = sourceNode
        self.sourceOutput = sourceOutput
    }
}

/// Which node read which output: recorded as nodes start (with their first commit, see
/// ExecutionStore.commit(_:lineage:)) and queried both ways.
public protocol LineageStore: Sendable {
    func recordLineage(_ edges: [LineageEdge]) throws
    /// What `node` of `execution` read, and who read its outputs.
    func lineage(execution: String, node: String) throws -> (upstream: [LineageEdge], downstream: [LineageEdge])
}
