/// The PostgreSQL store's schema: the same versions as SQLite's (SQLiteSchema.swift), one migration per
/// version, in PostgreSQL's types (BIGINT times in milliseconds, BYTEA for bytes). A new SQLite migration gets
/// its PostgreSQL twin here, at the same index.
extension PostgresStore {
    /// Each entry upgrades the schema by one version; never edit a released one, append.
    static let migrations: [String] = [
        """
        CREATE TABLE executions (
            id TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            workflow TEXT NOT NULL,
            spec BYTEA NOT NULL,
            inputs TEXT NOT NULL,
            phase TEXT NOT NULL,
            outputs TEXT,
            error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            recovered_from TEXT
        );
        CREATE INDEX executions_by_scope ON executions (project, domain, created_at);
        CREATE TABLE node_executions (
            execution_id TEXT NOT NULL REFERENCES executions (id),
            node_id TEXT NOT NULL,
            state TEXT NOT NULL,
            phase TEXT NOT NULL,
            plugin_id TEXT,
            task_execution_id TEXT,
            resource_state BYTEA,
            inputs TEXT,
            outputs TEXT,
            status_message TEXT,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (execution_id, node_id)
        );
        """,
        """
        CREATE TABLE cache_entries (
            cache_key TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            task TEXT NOT NULL,
            cache_version TEXT NOT NULL,
            interface_hash TEXT NOT NULL,
            inputs_hash TEXT NOT NULL,
            outputs TEXT NOT NULL,
            execution_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            attempt BIGINT NOT NULL,
            task_version TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX cache_by_task ON cache_entries (project, domain, task);
        CREATE TABLE cache_reservations (
            cache_key TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        CREATE TABLE lineage (
            execution_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            input_name TEXT NOT NULL,
            source_execution TEXT NOT NULL,
            source_node TEXT NOT NULL,
            source_output TEXT NOT NULL,
            PRIMARY KEY (execution_id, node_id, input_name, source_execution, source_node, source_output)
        );
        CREATE INDEX lineage_by_source ON lineage (source_execution, source_node);
        ALTER TABLE node_executions ADD COLUMN task_version TEXT;
        ALTER TABLE node_executions ADD COLUMN cached_from TEXT;
        ALTER TABLE executions ADD COLUMN abort_requested BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE node_executions ADD COLUMN log_links TEXT;
        """,
        // The registry: projects and their domains, versioned entities (`seq` orders equal times, as SQLite's
        // rowid does), launch plan schedules.
        """
        CREATE TABLE projects (
            id TEXT PRIMARY KEY,
            description TEXT NOT NULL,
            domains TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );
        INSERT INTO projects (id, description, domains, created_at) VALUES ('default', 'the default project', 'development,staging,production', 0);
        CREATE TABLE entities (
            seq BIGSERIAL NOT NULL,
            kind TEXT NOT NULL,
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            digest TEXT NOT NULL,
            body BYTEA NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (kind, project, domain, name, version)
        );
        CREATE INDEX entities_by_age ON entities (kind, project, domain, name, created_at);
        CREATE TABLE schedule_cursors (
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            launch_plan TEXT NOT NULL,
            after BIGINT NOT NULL,
            PRIMARY KEY (project, domain, launch_plan)
        );
        CREATE TABLE schedule_fires (
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            launch_plan TEXT NOT NULL,
            fire_time BIGINT NOT NULL,
            version TEXT NOT NULL,
            outcome TEXT NOT NULL,
            execution_id TEXT,
            recorded_at BIGINT NOT NULL,
            PRIMARY KEY (project, domain, launch_plan, fire_time)
        );
        ALTER TABLE executions ADD COLUMN launched_from TEXT;
        ALTER TABLE executions ADD COLUMN labels TEXT;
        """,
        // Leases: who drives an execution (and later, which worker holds what).
        """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            heartbeat_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        """,
        // Executions waiting for a worker and those workers run (WorkQueue.swift).
        """
        CREATE TABLE work_queue (
            execution_id TEXT PRIMARY KEY,
            enqueued_at BIGINT NOT NULL
        );
        """,
        // API tokens of `aloft serve` (TokenStore): the SHA-256 of each secret, never the secret.
        """
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            secret_hash TEXT NOT NULL UNIQUE,
            projects TEXT NOT NULL,
            role TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0
        );
        """,
        // The API's list of executions, newest first within a project whatever the domain (ExecutionPages):
        // without it a page sorted every execution of the project.
        """
        CREATE INDEX executions_by_project ON executions (project, created_at, id);
        """,
        // When each node first ran (NodeRecord.startedAt): the console's timeline.
        """
        ALTER TABLE node_executions ADD COLUMN started_at BIGINT;
        """,
        // Version 9 clustered SQLite's nodes and lineage by their keys (WITHOUT ROWID); PostgreSQL's tables have
        // no rowid to drop, so nothing changes here: the versions stay the same number on both stores.
        """
        SELECT 1;
        """,
    ]
}
