import AloftEngine
import PluginHost

/// What every handler works with: the stores, the server's one plugin host and engine, and the executions
/// the engine runs for the API.
struct ServerState: Sendable {
    let store: any MetadataStore
    let blobs: any BlobStore
    let host: PluginHost
    let runs: BackgroundRuns
    /// Set by `--workers`: new executions are queued for `aloft worker` processes, not run here.
    let workers: WorkerHandoff?

    var engine: ExecutionEngine { runs.engine }

    /// An execution the grant may see; another project's is "not found", like one that does not exist.
    func execution(_ id: String, _ grant: Grant) throws -> ExecutionRecord {
        guard let e = try store.execution(id: id), grant.covers(e.project) else {
            throw APIError.notFound("no execution \(id)")
        }
        return e
    }
}
