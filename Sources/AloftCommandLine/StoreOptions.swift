public import AloftCompiler
public import AloftEngine
public import ArgumentParser
import FoundationEssentials

/// Where the stores live: `.aloft/` in the working directory, or `--store DIR`, or the metadata store on a
/// PostgreSQL server (`--store postgres://user@host:port/db`, the password from the secret `postgres-password`
/// or libpq's `PGPASSWORD` / `~/.pgpass`, never printed); blobs may live on S3 instead (`--blobs
/// s3://bucket/prefix`, credentials and endpoint from the standard AWS variables).
public struct StoreOptions: ParsableArguments {
    public init() {}

    @Option(
        help:
            "Directory of the metadata store and blob store, or postgres://USER@HOST:PORT/DB for the metadata store (default: ./.aloft)."
    ) public var store: String = ".aloft"
    @Option(
        help:
            "Blob store root: s3://bucket/prefix (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL), or a directory (default: STORE/blobs, or ./.aloft/blobs with a postgres:// store)."
    )
    public var blobs: String?

    private var isPostgres: Bool { PostgresStore.isURL(store) }
    /// The store's directory, absolute (with a PostgreSQL store: ./.aloft, where local blobs default to).
    private var directory: String { URL(fileURLWithPath: isPostgres ? ".aloft" : store).standardizedFileURL.path }
    private var metadataPath: String { directory + "/metadata.sqlite" }
    /// How errors name the metadata store: never with a password.
    private var place: String { isPostgres ? "the metadata store" : "the store in \(directory)" }

    /// Both stores; `metadata` when it was opened already (see `metadataIfPresent`).
    public func open(metadata opened: (any MetadataStore)? = nil) throws -> (any MetadataStore, any BlobStore) {
        let metadata = try opened ?? openMetadata()
        do {
            if let blobs, blobs.hasPrefix("s3://") { return (metadata, try S3BlobStore.fromEnvironment(root: blobs)) }
            return (metadata, try LocalBlobStore(root: blobs ?? directory + "/blobs"))
        } catch {
            throw CLIError("cannot open the blob store of \(place): \(error)")
        }
    }

    /// Only the metadata store (registry commands touch no blobs).
    public func openMetadata() throws -> any MetadataStore {
        do {
            if isPostgres { return try PostgresStore(url: store, password: PostgresPassword.find()) }
            return try SQLiteMetadataStore(path: metadataPath)
        } catch {
            throw CLIError("cannot open \(place): \(error)")
        }
    }

    /// The registry for `references`, when a store exists already (checking a spec creates no store).
    public func referencesIfPresent() throws -> any ReferenceResolver {
        try Self.references(metadataIfPresent())
    }

    /// The metadata store when it exists already (opened once per command: each open checks its schema).
    public func metadataIfPresent() throws -> (any MetadataStore)? {
        guard isPostgres || FileManager.default.fileExists(atPath: metadataPath) else { return nil }
        return try openMetadata()
    }

    public static func references(_ metadata: (any MetadataStore)?) -> any ReferenceResolver {
        metadata.map { RegistryReferences(registry: $0) } ?? NoRegistry()
    }
}
