/// Everything a metadata store holds: executions and nodes, cache, lineage, leases, the registry and its
/// schedules, the work queue workers share, and the API's tokens and execution pages. SQLiteMetadataStore (one
/// file, the embedded default) and PostgresStore (a server that machines share) are both one.
public typealias MetadataStore = Store & Registry & WorkQueueStore & TokenStore & ExecutionPages

/// Opens the metadata store at `location`: a `postgres://` (or `postgresql://`) URL, or the path of a SQLite
/// file. `password` is used for PostgreSQL only and overrides the URL's; without either libpq reads
/// `PGPASSWORD` and `~/.pgpass`. Errors never show a password.
public func openMetadataStore(_ location: String, password: String? = nil) throws -> any MetadataStore {
    if PostgresStore.isURL(location) { return try PostgresStore(url: location, password: password) }
    return try SQLiteMetadataStore(path: location)
}
