public import AloftWire
import FoundationEssentials

/// Executions and their nodes (ExecutionStore) in PostgreSQL.
extension PostgresStore: ExecutionStore {
    public func createExecution(_ e: ExecutionRecord) throws {
        try withConnection { db in try Self.insertExecution(e, db) }
    }

    static func insertExecution(_ e: ExecutionRecord, _ db: PostgresConnection) throws {
        try db.update(
            """
            INSERT INTO executions (\(Self.executionColumns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """,
            [
                e.id, e.project, e.domain, e.workflow, PostgresBytes.encode(e.spec), text(e.inputs),
                e.phase.rawValue, e.outputs.map(text), e.error, PG.time(e.createdAt), PG.time(e.updatedAt),
                e.recoveredFrom, e.launchedFrom,
                e.labels.isEmpty ? nil : JSONWriter.string(.object(e.labels.mapValues(JSON.string))),
            ])
    }

    public func execution(id: String) throws -> ExecutionRecord? {
        try withConnection { db in
            try db.query("SELECT \(Self.executionColumns) FROM executions WHERE id = $1", [id]).first.map(
                Self.executionRow)
        }
    }

    public func executions(project: String?, domain: String?, limit: Int) throws -> [ExecutionRecord] {
        try withConnection { db in
            var sql = "SELECT \(Self.executionColumns) FROM executions"
            var args: [String?] = []
            var filters: [String] = []
            if let project {
                args.append(project)
                filters.append("project = $\(args.count)")
            }
            if let domain {
                args.append(domain)
                filters.append("domain = $\(args.count)")
            }
            if !filters.isEmpty { sql += " WHERE " + filters.joined(separator: " AND ") }
            args.append(String(limit))
            sql += " ORDER BY created_at DESC, id DESC LIMIT $\(args.count)"
            return try db.query(sql, args).map(Self.executionRow)
        }
    }

    public func finishExecution(
        id: String, phase: ExecutionRecord.Phase, outputs: LiteralMap?, error: String?, heldBy holder: LeaseHolder?
    ) throws {
        try withConnection { db in
            try db.transaction {
                if let holder { try Self.requireLeases([id: holder], db) }
                try db.update(
                    "UPDATE executions SET phase = $1, outputs = $2, error = $3, updated_at = $4 WHERE id = $5",
                    [phase.rawValue, outputs.map(text), error, PG.time(Date()), id])
            }
        }
    }

    public func requestAbort(id: String) throws {
        try withConnection { db in try db.update("UPDATE executions SET abort_requested = 1 WHERE id = $1", [id]) }
    }

    public func abortRequested(id: String) throws -> Bool {
        try withConnection { db in
            try db.query("SELECT abort_requested FROM executions WHERE id = $1", [id]).first.map {
                PG.integer($0[0]) != 0
            } ?? false
        }
    }

    public func nodes(execution: String) throws -> [NodeRecord] {
        try withConnection { db in
            try db.query(
                """
                SELECT execution_id, node_id, state, plugin_id, task_execution_id, resource_state, inputs, outputs,
                       status_message, updated_at, task_version, cached_from, log_links, started_at
                FROM node_executions WHERE execution_id = $1 ORDER BY node_id COLLATE "C"
                """, [execution]
            ).map(Self.nodeRow)
        }
    }

    /// One transaction for the whole batch (the engine's group commit), its node rows written by multi-row
    /// upserts of up to 64 rows: a round trip per 64 nodes, not per node.
    public func commit(_ nodes: [NodeRecord], lineage: [LineageEdge], heldBy: [String: LeaseHolder]) throws {
        guard !nodes.isEmpty || !lineage.isEmpty else { return }
        try withConnection { db in
            try db.transaction {
                try Self.requireLeases(heldBy, db)
                try Self.insertLineage(lineage, db)
                try Self.upsertNodes(nodes, db)
            }
        }
    }

    /// Writes node records inside the caller's transaction (a commit, an enqueue).
    static func upsertNodes(_ nodes: [NodeRecord], _ db: PostgresConnection) throws {
        // One statement may not update a row twice: a node written twice in a batch keeps its last record,
        // which is what the transaction would leave anyway.
        var latest: [NodeRecord] = []
        var index: [String: Int] = [:]
        for n in nodes {
            let key = n.execution + "\u{0}" + n.node
            if let i = index[key] {
                latest[i] = n
            } else {
                index[key] = latest.count
                latest.append(n)
            }
        }
        for start in stride(from: 0, to: latest.count, by: Self.rowsPerUpsert) {
            let rows = latest[start..<min(start + Self.rowsPerUpsert, latest.count)]
            try db.update(Self.upsert(rows: rows.count), rows.flatMap(Self.nodeParameters))
        }
    }

    private static let rowsPerUpsert = 64
    private static let nodeColumnCount = 15

    /// `INSERT ... VALUES (...), (...) ON CONFLICT DO UPDATE` for `rows` node rows.
    private static func upsert(rows: Int) -> String {
        let values = (0..<rows).map { r in
            "(" + (1...nodeColumnCount).map { "$\(r * nodeColumnCount + $0)" }.joined(separator: ", ") + ")"
        }
        return """
            INSERT INTO node_executions (execution_id, node_id, state, phase, plugin_id, task_execution_id,
                resource_state, inputs, outputs, status_message, updated_at, task_version, cached_from, log_links,
                started_at)
            VALUES \(values.joined(separator: ", "))
            ON CONFLICT (execution_id, node_id) DO UPDATE SET
                state = excluded.state, phase = excluded.phase, plugin_id = excluded.plugin_id,
                task_execution_id = excluded.task_execution_id, resource_state = excluded.resource_state,
                inputs = excluded.inputs, outputs = excluded.outputs,
                status_message = excluded.status_message, updated_at = excluded.updated_at,
                task_version = excluded.task_version, cached_from = excluded.cached_from,
                log_links = excluded.log_links,
                started_at = COALESCE(node_executions.started_at, excluded.started_at)
            """
    }

    private static func nodeParameters(_ n: NodeRecord) -> [String?] {
        [
            n.execution, n.node, n.state.jsonText, n.state.phase.rawValue, n.pluginID,
            n.taskExecutionID, n.resourceState.map(PostgresBytes.encode), n.inputs.map(text),
            n.outputs.map(text), n.statusMessage, PG.time(n.updatedAt), n.taskVersion, n.cachedFrom,
            n.logLinks.isEmpty
                ? nil
                : JSONWriter.string(
                    .array(n.logLinks.map { .object(["name": .string($0.name), "uri": .string($0.uri)]) })),
            n.startToStore.map(PG.time),
        ]
    }

    static let executionColumns =
        "id, project, domain, workflow, spec, inputs, phase, outputs, error, created_at, updated_at, recovered_from, launched_from, labels"

    private static func nodeRow(_ r: [String?]) throws -> NodeRecord {
        let row = "node \(r[0] ?? "")/\(r[1] ?? "")"
        func decode<T>(_ column: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch {
                throw StoreError.damagedRow(table: "node_executions", row: row, column: column, cause: "\(error)")
            }
        }
        return NodeRecord(
            execution: r[0] ?? "", node: r[1] ?? "",
            state: try decode("state") { try JSONDecoder().decode(NodeState.self, from: Data((r[2] ?? "").utf8)) },
            pluginID: r[3], taskExecutionID: r[4], resourceState: r[5].map { PostgresBytes.decode($0) },
            inputs: try decode("inputs") { try r[6].map { try LiteralMap(bytes: Array($0.utf8)) } },
            outputs: try decode("outputs") { try r[7].map { try LiteralMap(bytes: Array($0.utf8)) } },
            statusMessage: r[8], taskVersion: r[10], cachedFrom: r[11],
            logLinks: (r[12].flatMap { try? JSONParser.parse($0) }?.arrayValue ?? []).compactMap { j in
                guard let name = j["name"]?.stringValue, let uri = j["uri"]?.stringValue else { return nil }
                return LogLinkRecord(name: name, uri: uri)
            },
            updatedAt: PG.date(r[9]), startedAt: r[13].map { PG.date($0) })
    }

    /// Never fails: a column that cannot be decoded is left empty and named in `damage`.
    static func executionRow(_ r: [String?]) -> ExecutionRecord {
        let id = r[0] ?? ""
        var damage: [String] = []
        func literals(_ column: Int, _ name: String) -> LiteralMap? {
            guard let text = r[column] else { return nil }
            do { return try LiteralMap(bytes: Array(text.utf8)) } catch {
                damage.append("table executions, execution \(id), column \(name): \(error)")
                return nil
            }
        }
        let phaseText = r[6] ?? ""
        let phase = ExecutionRecord.Phase(rawValue: phaseText)
        if phase == nil {
            damage.append("table executions, execution \(id), column phase: unknown phase \"\(phaseText)\"")
        }
        var record = ExecutionRecord(
            id: id, project: r[1] ?? "", domain: r[2] ?? "", workflow: r[3] ?? "", spec: PostgresBytes.decode(r[4]),
            inputs: literals(5, "inputs") ?? [:], phase: phase ?? .failed, outputs: literals(7, "outputs"),
            error: r[8], createdAt: PG.date(r[9]), updatedAt: PG.date(r[10]), recoveredFrom: r[11],
            launchedFrom: r[12],
            labels: (r[13].flatMap { try? JSONParser.parse($0) }?.objectValue ?? [:]).compactMapValues(\.stringValue))
        record.damage = damage.isEmpty ? nil : damage.joined(separator: "; ")
        return record
    }
}
