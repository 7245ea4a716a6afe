import AloftEngine
import AloftWire
import FoundationEssentials
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Server-sent events for one execution's page: an `event: phase` whenever its status or a node's phase
/// changes (`{"status": ..., "nodes": {"a": "succeeded", ...}}`), the first at once; the stream ends when the
/// execution is no longer running, or the server stops. The store is read every half second (a change is not pushed to the server
/// by the engine, which may run in another process). The page refetches itself on each event.
struct ConsoleEvents: Sendable {
    let state: ServerState

    func events(_ request: Request, _ context: ServerContext) async throws -> Response {
        let grant = try context.requireGrant()
        let id = try context.parameter("id")
        _ = try state.execution(id, grant)  // another project's execution is 404 here too
        let store = state.reads
        let body = ResponseBody { writer in
            var last = ""
            var quiet = 0
            // A client that reconnects after the stream ended waits 2 s first.
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            while true {
                guard let e = try store.execution(id: id) else { break }
                let v = try ExecutionView(e, store: store, nodes: true)
                var nodes: [String: JSON] = [:]
                for n in v.nodes ?? [] { nodes[n.node] = .string(n.phase.rawValue) }
                let snapshot = JSONWriter.string(.object(["status": .string(v.status), "nodes": .object(nodes)]))
                if snapshot != last {
                    try await writer.write(ByteBuffer(string: "event: phase\ndata: \(snapshot)\n\n"))
                    last = snapshot
                    quiet = 0
                } else if quiet >= 30 {
                    // A comment every 15 s keeps proxies from closing an idle stream.
                    try await writer.write(ByteBuffer(string: ": waiting\n\n"))
                    quiet = 0
                }
                // A stream never holds up a stopping server: its executions are aborted only once every
                // connection has closed.
                if v.status != "running" || Task.isShuttingDownGracefully { break }
                quiet += 1
                try await Task.sleep(for: .milliseconds(500))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }
}
