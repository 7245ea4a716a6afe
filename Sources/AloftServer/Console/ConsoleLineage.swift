import AloftEngine

/// A node's lineage on its details in the console: the outputs it read (each linked to the node, in its
/// execution, that wrote it) and who read its outputs. Edges to executions the token cannot see are only
/// counted, as the API's lineage endpoint does.
struct ConsoleLineage {
    private var visibility: LineageVisibility

    init(store: any MetadataStore, grant: Grant) {
        visibility = LineageVisibility(store: store, grant: grant)
    }

    /// Table rows (`read` and `read by`), empty when the node has no lineage.
    mutating func rows(execution: String, node: String) throws -> String {
        let (up, down, hidden) = try visibility.edges(execution: execution, node: node)
        let read = up.map { e in
            "<li data-lineage-input=\"\(HTML.escape(e.input))\"><code>\(HTML.escape(e.input))</code> ← "
                + link(e.sourceExecution, e.sourceNode, current: execution) + ".\(HTML.escape(e.sourceOutput))</li>"
        }
        let readBy = down.map { e in
            "<li>\(HTML.escape(e.sourceOutput)) → " + link(e.execution, e.node, current: execution)
                + ".\(HTML.escape(e.input))</li>"
        }
        var out = ""
        if !read.isEmpty { out += "<tr><th>read</th><td><ul class=\"lineage\">\(read.joined())</ul></td></tr>" }
        if !readBy.isEmpty { out += "<tr><th>read by</th><td><ul class=\"lineage\">\(readBy.joined())</ul></td></tr>" }
        if hidden > 0 { out += "<tr><th>lineage</th><td class=\"muted\">\(hidden) more in other projects</td></tr>" }
        return out
    }

    private func link(_ execution: String, _ node: String, current: String) -> String {
        let page = execution == current ? "" : "/console/executions/\(HTML.segment(execution))"
        let label = execution == current ? HTML.escape(node) : "\(HTML.escape(execution))/\(HTML.escape(node))"
        return "<a href=\"\(page)#node-\(HTML.escape(node))\">\(label)</a>"
    }
}
