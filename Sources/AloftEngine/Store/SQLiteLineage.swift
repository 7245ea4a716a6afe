import FoundationEssentials

/// Lineage edges (LineageStore) in SQLite.
extension SQLiteMetadataStore: LineageStore {
    public func recordLineage(_ edges: [LineageEdge]) throws {
        guard !edges.isEmpty else { return }
        try withDatabase { db in try db.transaction { try Self.insertLineage(edges, db) } }
    }

    static func insertLineage(_ edges: [LineageEdge], _ db: SQLiteDatabase) throws {
        guard !edges.isEmpty else { return }
        let insert = try db.prepare(
            """
            INSERT INTO lineage (execution_id, node_id, input_name, source_execution, source_node, source_output)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        for e in edges {
            try insert.run([
                .text(e.execution), .text(e.node), .text(e.input), .text(e.sourceExecution), .text(e.sourceNode),
                .text(e.sourceOutput),
            ])
        }
    }

    public func lineage(execution: String, node: String) throws -> (upstream: [LineageEdge], downstream: [LineageEdge])
    {
        try withDatabase { db in
            let columns = "execution_id, node_id, input_name, source_execution, source_node, source_output"
            let row = { (r: SQLiteDatabase.Row) in
                LineageEdge(
                    execution: r.text(0) ?? "", node: r.text(1) ?? "", input: r.text(2) ?? "",
                    sourceExecution: r.text(3) ?? "",
                    sourceNode: r.text(4) ?? "", sourceOutput: r.text(5) ?? "")
            }
            let up = try db.prepare(
                "SELECT \(columns) FROM lineage WHERE execution_id = ? AND node_id = ? ORDER BY input_name"
            )
            .query([.text(execution), .text(node)], row)
            let down = try db.prepare(
                "SELECT \(columns) FROM lineage WHERE source_execution = ? AND source_node = ? ORDER BY execution_id, node_id"
            )
            .query([.text(execution), .text(node)], row)
            return (up, down)
        }
    }
}
