/// The SQLite store's schema: one migration per version, applied in order when a store is opened (see
/// SQLiteMetadataStore.init). SQL kept portable to PostgreSQL (TEXT, INTEGER, BLOB; no SQLite-only functions
/// in queries), so the PostgreSQL store can follow the same versions.
extension SQLiteMetadataStore {
    /// Each entry upgrades the schema by one version; never edit a released one, append.
    static let migrations: [String] = [
        """
        CREATE TABLE executions (
            id TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            workflow TEXT NOT NULL,
            spec BLOB NOT NULL,
            inputs TEXT NOT NULL,
            phase TEXT NOT NULL,
            outputs TEXT,
            error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
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
            resource_state BLOB,
            inputs TEXT,
            outputs TEXT,
            status_message TEXT,
            updated_at INTEGER NOT NULL,
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
            attempt INTEGER NOT NULL,
            task_version TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX cache_by_task ON cache_entries (project, domain, task);
        CREATE TABLE cache_reservations (
            cache_key TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at INTEGER NOT NULL
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
        ALTER TABLE executions ADD COLUMN abort_requested INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE node_executions ADD COLUMN log_links TEXT;
        """,
        // The registry: projects and their domains, versioned entities, launch plan schedules.
        """
        CREATE TABLE projects (
            id TEXT PRIMARY KEY,
            description TEXT NOT NULL,
            domains TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        INSERT INTO projects (id, description, domains, created_at) VALUES ('default', 'the default project', 'development,staging,production', 0);
        CREATE TABLE entities (
            kind TEXT NOT NULL,
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            digest TEXT NOT NULL,
            body BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (kind, project, domain, name, version)
        );
        CREATE INDEX entities_by_age ON entities (kind, project, domain, name, created_at);
        CREATE TABLE schedule_cursors (
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            launch_plan TEXT NOT NULL,
            after INTEGER NOT NULL,
            PRIMARY KEY (project, domain, launch_plan)
        );
        CREATE TABLE schedule_fires (
            project TEXT NOT NULL,
            domain TEXT NOT NULL,
            launch_plan TEXT NOT NULL,
            fire_time INTEGER NOT NULL,
            version TEXT NOT NULL,
            outcome TEXT NOT NULL,
            execution_id TEXT,
            recorded_at INTEGER NOT NULL,
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
            heartbeat_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        """,
        // Executions waiting for a worker (`run --detach`, `launch --detach`) and those workers run: a row
        // stays until its execution has ended, so a dead worker's executions are claimed again (WorkQueue.swift).
        """
        CREATE TABLE work_queue (
            execution_id TEXT PRIMARY KEY,
            enqueued_at INTEGER NOT NULL
        );
        """,
        // API tokens of `aloft serve` (TokenStore): the SHA-256 of each secret, never the secret.
        """
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            secret_hash TEXT NOT NULL UNIQUE,
            projects TEXT NOT NULL,
            role TEXT NOT NULL,
            created_at INTEGER NOT NULL,
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
        ALTER TABLE node_executions ADD COLUMN started_at INTEGER;
        """,
        // Nodes and lineage clustered by their keys (SQLite only: PostgreSQL's tables have no rowid): a node's
        // write was two B-tree inserts (the rowid table and its key's index) and an edge's three, on the store's
        // writer, which a synchronous chain keeps busy (issue 18). The rows wait in temporary tables while the
        // tables are made again under their own names: renaming a table rewrote the schema, 1 ms of a new store.
        """
        CREATE TEMP TABLE node_rows AS SELECT execution_id, node_id, state, phase, plugin_id, task_execution_id,
            resource_state, inputs, outputs, status_message, updated_at, task_version, cached_from, log_links, started_at
            FROM node_executions;
        DROP TABLE node_executions;
        CREATE TABLE node_executions (
            execution_id TEXT NOT NULL REFERENCES executions (id),
            node_id TEXT NOT NULL,
            state TEXT NOT NULL,
            phase TEXT NOT NULL,
            plugin_id TEXT,
            task_execution_id TEXT,
            resource_state BLOB,
            inputs TEXT,
            outputs TEXT,
            status_message TEXT,
            updated_at INTEGER NOT NULL,
            task_version TEXT,
            cached_from TEXT,
            log_links TEXT,
            started_at INTEGER,
            PRIMARY KEY (execution_id, node_id)
        ) WITHOUT ROWID;
        INSERT INTO node_executions SELECT * FROM temp.node_rows;
        DROP TABLE temp.node_rows;
        CREATE TEMP TABLE lineage_rows AS SELECT execution_id, node_id, input_name, source_execution, source_node,
            source_output FROM lineage;
        DROP TABLE lineage;
        CREATE TABLE lineage (
            execution_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            input_name TEXT NOT NULL,
            source_execution TEXT NOT NULL,
            source_node TEXT NOT NULL,
            source_output TEXT NOT NULL,
            PRIMARY KEY (execution_id, node_id, input_name, source_execution, source_node, source_output)
        ) WITHOUT ROWID;
        INSERT INTO lineage SELECT * FROM temp.lineage_rows;
        DROP TABLE temp.lineage_rows;
        CREATE INDEX lineage_by_source ON lineage (source_execution, source_node);
        """,
    ]
}
