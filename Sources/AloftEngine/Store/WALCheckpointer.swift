import AloftSystem
import CSQLite
import Synchronization

/// Checkpoints a store's write-ahead log on a thread of its own (issue 18). The connection that commits does
/// not checkpoint: SQLite's automatic checkpoint ran inside the commit that crossed its threshold, so the
/// store's writer copied a megabyte of log into the file and synced both, a few hundred times in a long run,
/// while every node waiting for a commit waited for that too. Here the writer's WAL hook only asks, each time the
/// log grew by `threshold` pages (see `request`), and this thread makes a PASSIVE checkpoint on its own
/// connection: it copies what it can without waiting for readers or writers, beside the commits. What is
/// durable when does not change (a commit is durable once in the log; the checkpoint only moves it into the
/// file).
///
/// The log starts over only when a checkpoint has copied all of it before the next commit, which one running
/// beside a busy writer seldom has: at `limit` pages the writer waits for this thread's checkpoint to end (if
/// one is running), and checkpoints what is left itself, as SQLite would; the log then starts over. The price:
/// the next process to open the store reads back the log since it last started over, about 2 µs a page, so up
/// to 2 ms after a long run (0.5 ms when SQLite checkpointed inline at 256 pages). A limit of 256 with this
/// thread from 128 gained a chain of 10,000 only 5%; 1,024 gains it 20% (side by side, on disk).
///
/// A process that exits mid-checkpoint leaves the log whole (SQLite's checkpoint is crash-safe); the next
/// process to commit asks again.
final class WALCheckpointer: Sendable {
    /// 256 pages (1 MB), SQLite's automatic threshold before (see SQLiteDatabase.init).
    static let threshold: Int32 = 256
    static let limit: Int32 = 1024
    /// A log this long when the store closes is truncated then (see `finish`): more than a short command writes.
    static let truncateAtClose: Int32 = 512

    /// The log's pages after the last commit, as the WAL hook saw them.
    let pages = Atomic<Int32>(0)
    /// Checkpoints this thread began, and the pages the log took in all (each start of the log over counted):
    /// for tests and diagnostics.
    let begun = Atomic<Int>(0)
    let logged = Atomic<Int>(0)

    private let path: String
    private let lock = ConditionLock()
    private struct State {
        var started = false
        var requested = false
        /// This thread is checkpointing.
        var running = false
        /// The writer is checkpointing (at the limit): no checkpoint starts here meanwhile.
        var paused = false
        var stopped = false
        /// The log's pages when this thread's last checkpoint began (0: none yet, or the log started over).
        var startedAt: Int32 = 0
    }
    private nonisolated(unsafe) var state = State()  // guarded by `lock`

    init(path: String) { self.path = path }

    /// From the committing connection's WAL hook (after its commit), with the log's pages: cheap, never waits.
    /// The thread starts with the first request (a short command's store never needs one).
    ///
    /// One checkpoint per `threshold` pages the log grew since the last one began, not one per commit: the log
    /// starts over only at `limit` under a steady writer (see above), so asking at every commit past
    /// `threshold` kept this thread checkpointing back to back, two syncs each, copying the same hot pages
    /// again (34 syncs in one warm re-run of a 100-node cached chain).
    func request(pages: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if pages < state.startedAt { state.startedAt = 0 }  // the log started over
        guard !state.requested, !state.stopped, pages >= state.startedAt + Self.threshold else { return }
        state.requested = true
        if !state.started {
            state.started = HostThread.start(name: "aloft-checkpoint") { [self] in run() }
        }
        lock.broadcast()
    }

    /// From the committing connection's WAL hook at the limit: `checkpoint` (the writer's own) once no
    /// checkpoint of this thread's is running, none starting meanwhile.
    func alone(_ checkpoint: () -> Void) {
        lock.lock()
        state.paused = true
        while state.running { lock.wait() }
        lock.unlock()
        checkpoint()
        lock.lock()
        state.paused = false
        lock.broadcast()
        lock.unlock()
    }

    /// The store is closing: the thread ends after the checkpoint it is making, if any.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        state.stopped = true
        lock.broadcast()
    }

    private func run() {
        var connection: SQLiteDatabase?
        while true {
            lock.lock()
            while !state.stopped && (!state.requested || state.paused) { lock.wait() }
            if state.stopped {
                lock.unlock()
                return
            }
            state.requested = false
            state.running = true
            state.startedAt = pages.load(ordering: .relaxed)
            lock.unlock()
            begun.add(1, ordering: .relaxed)
            if connection == nil { connection = try? SQLiteDatabase(path: path) }
            connection?.checkpointPassively()
            lock.lock()
            state.running = false
            lock.broadcast()
            lock.unlock()
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
                guard let context else { return SQLITE_OK }
                let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
                let before = checkpointer.pages.exchange(pages, ordering: .relaxed)
                checkpointer.logged.add(Int(pages >= before ? pages - before : pages), ordering: .relaxed)
                if pages >= WALCheckpointer.limit {
                    checkpointer.alone { sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil) }
                } else if pages >= WALCheckpointer.threshold {
                    checkpointer.request(pages: pages)
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    /// When the store closes after a long run: the log checkpointed and truncated, so the next process does not
    /// read back up to `limit` pages of it (a cached chain's second run read 4 MB back after its first: 1 ms
    /// slower than with SQLite's own checkpoints). Waits for readers 20 ms at most, then leaves the log as it is.
    func finish(_ checkpointer: WALCheckpointer) {
        guard checkpointer.pages.load(ordering: .relaxed) >= WALCheckpointer.truncateAtClose else { return }
        checkpointer.alone {
            sqlite3_busy_timeout(handle, 20)
            sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
            sqlite3_busy_timeout(handle, 10_000)  // as opened
        }
    }

    /// A PASSIVE checkpoint: as much of the log as no reader or writer holds, without waiting for them.
    func checkpointPassively() {
        sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }
}
