import FoundationEssentials

/// Lineage edges (LineageStore) in PostgreSQL.
extension PostgresStore: LineageStore {
    public func recordLineage(_ edges: [LineageEdge]) throws {
        guard !edges.isEmpty else { return }
        try withConnection { db in try db.transaction { try Self.insertLineage(edges, db) } }
    }

    static func insertLineage(_ edges: [LineageEdge], _ db: PostgresConnection) throws {
        for e in edges {
            try db.update(
                """
                INSERT INTO lineage (execution_id, node_id, input_name, source_execution, source_node, source_output)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
                """, [e.execution, e.node, e.input, e.sourceExecution, e.sourceNode, e.sourceOutput])
        }
    }

    public func lineage(execution: String, node: String) throws -> (upstream: [LineageEdge], downstream: [LineageEdge])
    {
        try withConnection { db in
            let columns = "execution_id, node_id, input_name, source_execution, source_node, source_output"
            let row = { (r: [String?]) in
                LineageEdge(
                    execution: r[0] ?? "", node: r[1] ?? "", input: r[2] ?? "", sourceExecution: r[3] ?? "",
                    sourceNode: r[4] ?? "", sourceOutput: r[5] ?? "")
            }
            let up = try db.query(
                "SELECT \(columns) FROM lineage WHERE execution_id = $1 AND node_id = $2 ORDER BY input_name COLLATE \"C\"",
                [execution, node]
            ).map(row)
            let down = try db.query(
                """
                SELECT \(columns) FROM lineage WHERE source_execution = $1 AND source_node = $2
                ORDER BY execution_id COLLATE "C", node_id COLLATE "C"
                """, [execution, node]
            ).map(row)
            return (up, down)
        }
    }
}
