import FoundationEssentials
import PluginHost

/// The PostgreSQL store's password, never printed: the secret `postgres-password` (the environment's
/// `ALOFT_SECRET_POSTGRES_PASSWORD`, or the file of that name in `secrets.dir` of ./aloft.yaml); nil leaves it
/// to the URL or to libpq (`PGPASSWORD`, `~/.pgpass`).
enum PostgresPassword {
    static let secretName = "postgres-password"

    static func find() -> String? {
        var stores: [any SecretStore] = [EnvironmentSecretStore()]
        if let dir = (try? HostConfiguration.load(explicitPath: nil))?.secretsDirectory {
            stores.append(DirectorySecretStore(directory: URL(fileURLWithPath: dir)))
        }
        return ChainedSecretStore(stores).secret(named: secretName).map { String(decoding: $0, as: UTF8.self) }
    }
}
