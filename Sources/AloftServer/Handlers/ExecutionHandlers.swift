import AloftEngine
import AloftWire
import Hummingbird

/// Executions: list (filters, pages), get, abort, relaunch.
struct ExecutionHandlers: Sendable {
    let state: ServerState
    static let maxPage = 200

    func list(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let q = request.uri.queryParameters
        func param(_ name: String) throws -> String? {
            guard let v = q.get(name) else { return nil }
            guard !v.isEmpty else {
                throw APIError.badRequest("query parameter \(name) is empty", fields: [name: "empty"])
            }
            return v
        }
        var projects = grant.projects.sorted()
        if let p = try param("project") {
            try grant.require(project: p)
            projects = [p]
        }
        let phase = try param("phase")
        if let phase, ExecutionRecord.Phase(rawValue: phase) == nil {
            throw APIError.badRequest(
                "phase \"\(phase)\" is not one of queued, running, succeeded, failed, aborted",
                fields: ["phase": "unknown"])
        }
        var limit = 50
        if let l = try param("limit") {
            guard let n = Int(l), n >= 1, n <= Self.maxPage else {
                throw APIError.badRequest(
                    "limit must be an integer from 1 to \(Self.maxPage), not \"\(l)\"",
                    fields: ["limit": "out of range"])
            }
            limit = n
        }
        var after: ExecutionCursor?
        if let c = try param("cursor") {
            guard let cursor = ExecutionCursor(text: c) else {
                throw APIError.badRequest(
                    "cursor \"\(c)\" is not one this server gave (use nextCursor of the previous page)",
                    fields: ["cursor": "malformed"])
            }
            after = cursor
        }
        let query = ExecutionQuery(
            projects: projects, domain: try param("domain"), phase: phase, workflow: try param("workflow"),
            after: after, limit: limit)
        // One connection for the page and its views: a page reads as one.
        let reads = state.reads
        let records = try reads.executionPage(query)
        // Written row by row (ExecutionView.write), the same bytes as the page's JSON value would give.
        var w = JSONWriter(reservingCapacity: 64 + 400 * records.count)
        w.writeByte("{")
        w.writeKey("executions")
        w.writeByte("[")
        for (i, view) in try ExecutionView.summaries(records, store: reads).enumerated() {
            if i > 0 { w.writeByte(",") }
            view.write(to: &w)
        }
        w.writeByte("]")
        if records.count == limit, let last = records.last {
            w.writeByte(",")
            w.writeKey("nextCursor")
            w.writeString(ExecutionCursor(after: last).text)
        }
        w.writeByte("}")
        return JSONResponse.make(bytes: w.bytes)
    }

    func get(_ request: Request, _ context: ServerContext) async throws -> Response {
        let e = try state.execution(try context.parameter("id"), try context.requireGrant())
        var w = JSONWriter(reservingCapacity: 4096)
        try ExecutionView(e, store: state.reads, nodes: true).write(to: &w)
        return JSONResponse.make(bytes: w.bytes)
    }

    func abort(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let e = try state.execution(try context.parameter("id"), grant)
        try grant.require(project: e.project, role: .launcher)
        // A queued execution no worker has claimed ends here (as `aloft executions abort` does); a running one,
        // here or on a worker, is asked to stop by whoever drives it.
        if e.phase == .queued, try state.store.abortQueued(e.id) {
            return JSONResponse.make(.object(["id": .string(e.id), "aborted": .bool(true)]))
        }
        guard e.phase == .running || e.phase == .queued else {
            throw APIError.conflict("execution \(e.id) is already \(e.phase.rawValue)")
        }
        try state.store.requestAbort(id: e.id)
        return JSONResponse.make(.object(["id": .string(e.id), "abortRequested": .bool(true)]), status: .accepted)
    }

    func relaunch(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let old = try state.execution(try context.parameter("id"), grant)
        try grant.require(project: old.project, role: .launcher)
        let id = ExecutionID.make()
        let engine = state.engine
        do {
            if let workers = state.workers {
                try workers.relaunch(old, newID: id)
            } else {
                try await state.runs.start(id) { try await engine.relaunch(old.id, newID: id) }
            }
        } catch let e as BackgroundRuns.StartFailure {
            throw APIError.badRequest("cannot relaunch \(old.id): \(e.description)")
        }
        return JSONResponse.make(
            .object(["id": .string(id), "relaunchOf": .string(old.id)]), status: .created)
    }
}

extension ExecutionHandlers {
    /// A failed or aborted execution run again as a new one, reusing the outputs of its succeeded nodes.
    func recover(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let old = try state.execution(try context.parameter("id"), grant)
        try grant.require(project: old.project, role: .launcher)
        guard old.phase == .failed || old.phase == .aborted else {
            throw APIError.conflict(
                "execution \(old.id) is \(old.phase.rawValue); only failed or aborted executions are recovered")
        }
        let id = ExecutionID.make()
        let engine = state.engine
        do {
            if let workers = state.workers {
                try workers.recover(old, newID: id)
            } else {
                try await state.runs.start(id) { try await engine.recover(old.id, newID: id) }
            }
        } catch let e as BackgroundRuns.StartFailure {
            throw APIError.badRequest("cannot recover \(old.id): \(e.description)")
        }
        return JSONResponse.make(.object(["id": .string(id), "recovers": .string(old.id)]), status: .created)
    }
}
