import AloftEngine
import AloftWire
import Hummingbird

/// Node executions of one execution: list, one node, and one input or output value (a blob's content
/// streamed from the blob store).
struct NodeHandlers: Sendable {
    let state: ServerState

    func list(_ request: Request, _ context: ServerContext) async throws -> Response {
        let e = try state.execution(try context.parameter("id"), try context.requireGrant())
        let nodes = try state.reads.nodes(execution: e.id).map { NodeView($0).json }
        return JSONResponse.make(.object(["execution": .string(e.id), "nodes": .array(nodes)]))
    }

    func get(_ request: Request, _ context: ServerContext) async throws -> Response {
        JSONResponse.make(NodeView(try node(context)).json)
    }

    /// `.../nodes/:node/outputs/:name` and `.../inputs/:name`; `?path=` picks a file of a directory blob.
    func value(_ request: Request, _ context: ServerContext, outputs: Bool) async throws -> Response {
        let n = try node(context)
        let name = try context.parameter("name")
        let side = outputs ? "outputs" : "inputs"
        guard let map = outputs ? n.outputs : n.inputs else {
            throw APIError.notFound("node \(n.node) of \(n.execution) has no \(side) (yet)")
        }
        guard let value = map[name] else {
            throw APIError.notFound(
                "node \(n.node) has no \(side.dropLast()) \"\(name)\"; \(side): \(map.keys.sorted().joined(separator: ", "))"
            )
        }
        return try BlobDownload(blobs: state.blobs).respond(
            value, name: name, path: request.uri.queryParameters.get("path").map { String($0) })
    }

    /// `.../executions/:id/outputs/:name`: one of the execution's outputs.
    func executionOutput(_ request: Request, _ context: ServerContext) async throws -> Response {
        let e = try state.execution(try context.parameter("id"), try context.requireGrant())
        let name = try context.parameter("name")
        guard let value = e.outputs?[name] else {
            throw APIError.notFound(
                "execution \(e.id) has no output \"\(name)\""
                    + (e.outputs.map { "; outputs: \($0.keys.sorted().joined(separator: ", "))" }
                        ?? " (it has not succeeded)"))
        }
        return try BlobDownload(blobs: state.blobs).respond(
            value, name: name, path: request.uri.queryParameters.get("path").map { String($0) })
    }

    /// What the node read (upstream) and who read its outputs (downstream). Edges to executions of projects
    /// the token does not cover are left out and only counted.
    func lineage(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let n = try node(context)
        var visibility = LineageVisibility(store: state.reads, grant: grant)
        let (up, down, hidden) = try visibility.edges(execution: n.execution, node: n.node)
        func json(_ e: LineageEdge) -> JSON {
            .object([
                "execution": .string(e.execution), "node": .string(e.node), "input": .string(e.input),
                "sourceExecution": .string(e.sourceExecution), "sourceNode": .string(e.sourceNode),
                "sourceOutput": .string(e.sourceOutput),
            ])
        }
        return JSONResponse.make(
            .object([
                "execution": .string(n.execution), "node": .string(n.node), "upstream": .array(up.map(json)),
                "downstream": .array(down.map(json)), "hidden": .integer(Int64(hidden)),
            ]))
    }

    private func node(_ context: ServerContext) throws -> NodeRecord {
        let e = try state.execution(try context.parameter("id"), try context.requireGrant())
        let name = try context.parameter("node")
        guard let n = try state.reads.nodes(execution: e.id).first(where: { $0.node == name }) else {
            throw APIError.notFound("execution \(e.id) has no node \"\(name)\"")
        }
        return n
    }
}
