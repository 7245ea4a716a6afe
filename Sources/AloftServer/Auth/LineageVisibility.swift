import AloftEngine

/// A node's lineage as a grant may see it, for the API's lineage endpoint and the console's node details
/// alike: edges to executions of projects the token does not cover are left out and only counted. Whether an
/// execution is visible is asked once and remembered (a console page asks for each of its nodes).
struct LineageVisibility {
    let store: any MetadataStore
    let grant: Grant
    private var visible: [String: Bool] = [:]

    init(store: any MetadataStore, grant: Grant) {
        self.store = store
        self.grant = grant
    }

    /// What the node read (`upstream`), who read its outputs (`downstream`), and how many edges were left out.
    mutating func edges(
        execution: String, node: String
    ) throws -> (
        upstream: [LineageEdge], downstream: [LineageEdge], hidden: Int
    ) {
        let (up, down) = try store.lineage(execution: execution, node: node)
        visible[execution] = true
        let upstream = try up.filter { try sees($0.sourceExecution) }
        let downstream = try down.filter { try sees($0.execution) }
        return (upstream, downstream, up.count + down.count - upstream.count - downstream.count)
    }

    private mutating func sees(_ execution: String) throws -> Bool {
        if let known = visible[execution] { return known }
        let ok = try store.execution(id: execution).map { grant.covers($0.project) } ?? false
        visible[execution] = ok
        return ok
    }
}
