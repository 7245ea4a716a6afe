import AloftSystem
import CSQLite

/// Checkpoints a store's write-ahead log on a thread of its own (issue 18). The connection that commits does
/// not checkpoint: SQLite's automatic checkpoint ran inside the commit that crossed its threshold, so the
/// store's writer copied a megabyte of log into the file and synced both, a few hundred times in a long run,
/// while every node waiting for a commit waited for that too. Here the writer's WAL hook only asks, once the
/// log holds `threshold` pages, and this thread makes a PASSIVE checkpoint on its own connection: it copies
/// what it can without waiting for readers or writers, beside the commits. What is durable when does not
/// change (a commit is durable once in the log; the checkpoint only moves it into the file).
///
/// The log starts over only when a checkpoint has copied all of it before the next commit, which one running
/// beside a busy writer seldom has: at `limit` pages the writer checkpoints inline, as SQLite would (what is
/// left after this thread's copying), and the log starts over. The next process to open the store reads the
/// log back, about 2 µs a page: so at most 4 MB of it.
///
/// A process that exits mid-checkpoint leaves the log whole (SQLite's checkpoint is crash-safe); the next
/// process to commit asks again.
final class WALCheckpointer: Sendable {
    /// 256 pages (1 MB), SQLite's automatic threshold before (see SQLiteDatabase.init).
    static let threshold: Int32 = 256
    static let limit: Int32 = 1024

    private let path: String
    private let wake = ConditionLock()
    // Guarded by `wake`.
    private nonisolated(unsafe) var started = false
    private nonisolated(unsafe) var requested = false
    private nonisolated(unsafe) var stopped = false

    init(path: String) { self.path = path }

    /// From the committing connection's WAL hook (inside its commit): cheap, never waits. The thread starts
    /// with the first request (a short command's store never needs one).
    func request() {
        wake.lock()
        defer { wake.unlock() }
        guard !requested, !stopped else { return }
        requested = true
        if !started {
            started = HostThread.start(name: "aloft-checkpoint") { [self] in run() }
        }
        wake.signal()
    }

    /// The store is closing: the thread ends after the checkpoint it is making, if any.
    func stop() {
        wake.lock()
        defer { wake.unlock() }
        stopped = true
        wake.signal()
    }

    private func run() {
        var connection: SQLiteDatabase?
        while true {
            wake.lock()
            while !requested && !stopped { wake.wait() }
            let stop = stopped
            requested = false
            wake.unlock()
            if stop { return }
            if connection == nil { connection = try? SQLiteDatabase(path: path) }
            connection?.checkpointPassively()
        }
    }
}

extension SQLiteDatabase {
    /// This connection's log is checkpointed by `checkpointer`, not by its commits (see WALCheckpointer).
    func checkpoint(by checkpointer: WALCheckpointer) {
        walCheckpointer = checkpointer
        // Replaces SQLite's automatic checkpoint, which is a WAL hook too.
        sqlite3_wal_hook(
            handle,
            { context, db, name, pages in
                if pages >= WALCheckpointer.limit {
                    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                } else if pages >= WALCheckpointer.threshold, let context {
                    Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().request()
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    /// A PASSIVE checkpoint: as much of the log as no reader or writer holds, without waiting for them.
    func checkpointPassively() {
        sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }
}
