public import AloftWire
import FoundationEssentials

/// Executions and their nodes (ExecutionStore) in SQLite.
extension SQLiteMetadataStore: ExecutionStore {
    public func createExecution(_ e: ExecutionRecord) throws {
        try withDatabase { db in try Self.insertExecution(e, db) }
    }

    static func insertExecution(_ e: ExecutionRecord, _ db: SQLiteDatabase) throws {
        try db.prepare(
            """
            INSERT INTO executions (\(Self.executionColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run([
            .text(e.id), .text(e.project), .text(e.domain), .text(e.workflow), .blob(e.spec), .text(text(e.inputs)),
            .text(e.phase.rawValue), e.outputs.map { .text(text($0)) } ?? .null, e.error.map { .text($0) } ?? .null,
            .integer(millis(e.createdAt)), .integer(millis(e.updatedAt)),
            e.recoveredFrom.map { .text($0) } ?? .null,
            e.launchedFrom.map { .text($0) } ?? .null,
            e.labels.isEmpty ? .null : .text(JSONWriter.string(.object(e.labels.mapValues(JSON.string)))),
        ])
    }

    public func execution(id: String) throws -> ExecutionRecord? {
        try withDatabase { db in
            try db.prepare("SELECT \(Self.executionColumns) FROM executions WHERE id = ?").query(
                [.text(id)], { Self.executionRow($0) }
            ).first
        }
    }

    public func executions(project: String?, domain: String?, limit: Int) throws -> [ExecutionRecord] {
        try withDatabase { db in
            var sql = "SELECT \(Self.executionColumns) FROM executions"
            var args: [SQLiteDatabase.Statement.Value] = []
            var filters: [String] = []
            if let project {
                filters.append("project = ?")
                args.append(.text(project))
            }
            if let domain {
                filters.append("domain = ?")
                args.append(.text(domain))
            }
            if !filters.isEmpty { sql += " WHERE " + filters.joined(separator: " AND ") }
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
            args.append(.integer(Int64(limit)))
            return try db.prepare(sql).query(args, { Self.executionRow($0) })
        }
    }

    public func finishExecution(
        id: String, phase: ExecutionRecord.Phase, outputs: LiteralMap?, error: String?, heldBy holder: LeaseHolder?
    ) throws {
        try withDatabase { db in
            try db.transaction {
                if let holder { try Self.requireLeases([id: holder], db) }
                try db.prepare("UPDATE executions SET phase = ?, outputs = ?, error = ?, updated_at = ? WHERE id = ?")
                    .run([
                        .text(phase.rawValue), outputs.map { .text(text($0)) } ?? .null,
                        error.map { .text($0) } ?? .null, .integer(millis(Date())), .text(id),
                    ])
            }
        }
    }

    public func requestAbort(id: String) throws {
        try withDatabase { db in
            try db.prepare("UPDATE executions SET abort_requested = 1 WHERE id = ?").run([.text(id)])
        }
    }

    public func abortRequested(id: String) throws -> Bool {
        try withDatabase { db in
            try db.prepare("SELECT abort_requested FROM executions WHERE id = ?").query([.text(id)]) {
                $0.integer(0) != 0
            }.first ?? false
        }
    }

    public func nodes(execution: String) throws -> [NodeRecord] {
        try withDatabase { db in
            try db.prepare(
                """
                SELECT execution_id, node_id, state, plugin_id, task_execution_id, resource_state, inputs, outputs, status_message, updated_at,
                       task_version, cached_from, log_links, started_at
                FROM node_executions WHERE execution_id = ? ORDER BY node_id
                """
            ).query([.text(execution)]) { r in
                let row = "node \(r.text(0) ?? "")/\(r.text(1) ?? "")"
                func decode<T>(_ column: String, _ body: () throws -> T) throws -> T {
                    do { return try body() } catch {
                        throw StoreError.damagedRow(
                            table: "node_executions", row: row, column: column, cause: "\(error)")
                    }
                }
                return NodeRecord(
                    execution: r.text(0) ?? "", node: r.text(1) ?? "",
                    state: try decode("state") {
                        try JSONDecoder().decode(NodeState.self, from: Data((r.text(2) ?? "").utf8))
                    },
                    pluginID: r.text(3), taskExecutionID: r.text(4),
                    resourceState: r.isNull(5) ? nil : r.blob(5),
                    inputs: try decode("inputs") { try r.text(6).map { try LiteralMap(bytes: Array($0.utf8)) } },
                    outputs: try decode("outputs") { try r.text(7).map { try LiteralMap(bytes: Array($0.utf8)) } },
                    statusMessage: r.text(8), taskVersion: r.text(10), cachedFrom: r.text(11),
                    logLinks: (r.text(12).flatMap { try? JSONParser.parse($0) }?.arrayValue ?? []).compactMap { j in
                        guard let name = j["name"]?.stringValue, let uri = j["uri"]?.stringValue else { return nil }
                        return LogLinkRecord(name: name, uri: uri)
                    },
                    updatedAt: Date(timeIntervalSince1970: Double(r.integer(9)) / 1000),
                    startedAt: r.isNull(13) ? nil : Date(timeIntervalSince1970: Double(r.integer(13)) / 1000))
            }
        }
    }

    public func commit(_ nodes: [NodeRecord], lineage: [LineageEdge], heldBy: [String: LeaseHolder]) throws {
        guard !nodes.isEmpty || !lineage.isEmpty else { return }
        try withDatabase { db in
            try db.transaction {
                try Self.requireLeases(heldBy, db)
                try Self.insertLineage(lineage, db)
                try Self.upsertNodes(nodes, db)
            }
        }
    }

    /// Writes node records inside the caller's transaction (a commit, an enqueue).
    static func upsertNodes(_ nodes: [NodeRecord], _ db: SQLiteDatabase) throws {
        guard !nodes.isEmpty else { return }
        let upsert = try db.prepare(
            """
            INSERT INTO node_executions (execution_id, node_id, state, phase, plugin_id, task_execution_id, resource_state, inputs, outputs,
                                         status_message, updated_at, task_version, cached_from, log_links, started_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (execution_id, node_id) DO UPDATE SET
                state = excluded.state, phase = excluded.phase, plugin_id = excluded.plugin_id,
                task_execution_id = excluded.task_execution_id, resource_state = excluded.resource_state,
                inputs = excluded.inputs, outputs = excluded.outputs, status_message = excluded.status_message,
                updated_at = excluded.updated_at, task_version = excluded.task_version, cached_from = excluded.cached_from,
                log_links = excluded.log_links, started_at = COALESCE(node_executions.started_at, excluded.started_at)
            """)
        for n in nodes {
            try upsert.run([
                .text(n.execution), .text(n.node), .text(n.state.jsonText),
                .text(n.state.phase.rawValue), n.pluginID.map { .text($0) } ?? .null,
                n.taskExecutionID.map { .text($0) } ?? .null,
                n.resourceState.map { .blob($0) } ?? .null, n.inputs.map { .utf8($0.canonicalBytes) } ?? .null,
                n.outputs.map { .utf8($0.canonicalBytes) } ?? .null, n.statusMessage.map { .text($0) } ?? .null,
                .integer(millis(n.updatedAt)),
                n.taskVersion.map { .text($0) } ?? .null, n.cachedFrom.map { .text($0) } ?? .null,
                n.logLinks.isEmpty
                    ? .null
                    : .text(
                        JSONWriter.string(
                            .array(
                                n.logLinks.map { .object(["name": .string($0.name), "uri": .string($0.uri)]) }))
                    ),
                n.startToStore.map { .integer(millis($0)) } ?? .null,
            ])
        }
    }

    static let executionColumns =
        "id, project, domain, workflow, spec, inputs, phase, outputs, error, created_at, updated_at, recovered_from, launched_from, labels"

    /// Never fails: a column that cannot be decoded is left empty and named in `damage`, so one damaged row
    /// neither hides the other executions nor goes unnoticed.
    static func executionRow(_ r: SQLiteDatabase.Row) -> ExecutionRecord {
        let id = r.text(0) ?? ""
        var damage: [String] = []
        func literals(_ column: Int32, _ name: String) -> LiteralMap? {
            guard let text = r.text(column) else { return nil }
            do { return try LiteralMap(bytes: Array(text.utf8)) } catch {
                damage.append("table executions, execution \(id), column \(name): \(error)")
                return nil
            }
        }
        let phaseText = r.text(6) ?? ""
        let phase = ExecutionRecord.Phase(rawValue: phaseText)
        if phase == nil {
            damage.append("table executions, execution \(id), column phase: unknown phase \"\(phaseText)\"")
        }
        var record = ExecutionRecord(
            id: id, project: r.text(1) ?? "", domain: r.text(2) ?? "", workflow: r.text(3) ?? "", spec: r.blob(4),
            inputs: literals(5, "inputs") ?? [:], phase: phase ?? .failed, outputs: literals(7, "outputs"),
            error: r.text(8),
            createdAt: Date(timeIntervalSince1970: Double(r.integer(9)) / 1000),
            updatedAt: Date(timeIntervalSince1970: Double(r.integer(10)) / 1000), recoveredFrom: r.text(11),
            launchedFrom: r.text(12),
            labels: (r.text(13).flatMap { try? JSONParser.parse($0) }?.objectValue ?? [:]).compactMapValues(
                \.stringValue))
        record.damage = damage.isEmpty ? nil : damage.joined(separator: "; ")
        return record
    }
}
