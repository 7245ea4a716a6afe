import AloftEngine
import PluginHost

/// What every handler works with: the stores, the server's one plugin host and engine, and the executions
/// the engine runs for the API.
struct ServerState: Sendable {
    let store: any MetadataStore
    /// Where read-only requests read (StoreReaders); `store` for writes.
    let readers: StoreReaders
    let blobs: any BlobStore
    let host: PluginHost
    let runs: BackgroundRuns
    /// Set by `--workers`: new executions are queued for `aloft worker` processes, not run here.
    let workers: WorkerHandoff?

    var engine: ExecutionEngine { runs.engine }
    /// The store a read-only request reads from: one of the readers' connections, in turn.
    var reads: any MetadataStore { readers.next() }

    /// An execution the grant may see; another project's is "not found", like one that does not exist.
    func execution(_ id: String, _ grant: Grant) throws -> ExecutionRecord {
        guard let e = try reads.execution(id: id), grant.covers(e.project) else {
            throw APIError.notFound("no execution \(id)")
        }
        return e
    }
}
