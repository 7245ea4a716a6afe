import Foundation
public import PluginKit
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A program run as a local process that a restarted host can find again: its own process group (abort
/// signals the whole tree), the attempt's working directory, stdout/stderr to files there, and an exit-code
/// file written by a small shell wrapper, so a host that is not the process's parent still learns how it
/// ended. The pid file beside them makes a repeated start idempotent.
public struct ManagedProcess: Sendable {
    let host: HostServices
    /// Test hook: a pause between a poll's look for the exit code and its look for the process, to widen
    /// the window in which the process ends between the two (plugin config `test_hooks.poll_pause_ms`).
    let pollPauseMilliseconds: Int

    public init(host: HostServices, pollPauseMilliseconds: Int = 0) {
        self.host = host
        self.pollPauseMilliseconds = pollPauseMilliseconds
    }

    /// The resource state: enough to find the process again after a host restart.
    public struct State: Sendable, Equatable {
        public var pid: Int32
        public var startTicks: Int64  // /proc/<pid>/stat field 22: tells a reused pid from ours

        public var bytes: [UInt8] {
            JSONWriter.encode(.object(["pid": .integer(Int64(pid)), "start": .integer(startTicks)]))
        }

        public init(pid: Int32, startTicks: Int64) {
            self.pid = pid
            self.startTicks = startTicks
        }

        public init(_ bytes: [UInt8]) throws(PluginError) {
            guard let j = try? JSONParser.parse(bytes), let pid = j["pid"]?.integerValue,
                let start = j["start"]?.integerValue
            else {
                throw .system("the local process's state is unreadable", code: "BadState", retryable: false)
            }
            self.init(pid: Int32(pid), startTicks: start)
        }
    }

    /// How the process stands.
    public enum Status: Sendable, Equatable {
        case running(pid: Int32)
        case exited(code: Int32)
        /// The wrapper could not apply a limit and never ran the command; what was asked for.
        case limitRefused(String)
        /// Gone without an exit code: the wrapper itself was killed (abort, OOM killer, reboot).
        case lost(pid: Int32)
    }

    /// The process an earlier start of this attempt launched, when it still runs or has finished. Only under
    /// the attempt's submit lock (existingOrStart): looked at alone, it may be started by another host next.
    private func existing(_ io: TaskIO) -> State? {
        guard let data = FileManager.default.contents(atPath: io.work + "/pid"), let state = try? State([UInt8](data))
        else { return nil }
        return alive(state) || FileManager.default.fileExists(atPath: io.work + "/exit_code") ? state : nil
    }

    /// The attempt's process: the one an earlier start launched (`existed`), or the one `start` launches now.
    /// The look and the start happen under an exclusive lock on a file in the attempt's working directory,
    /// so two live hosts that submit the same attempt at once start it once. (A host that stood still past
    /// its lease can wake in the middle of a submit that the host which took its execution over makes again;
    /// both found no process, and both started one.) The kernel drops the lock of a host that dies holding it.
    public func existingOrStart(
        _ io: TaskIO, _ start: () throws(PluginError) -> State
    ) throws(PluginError) -> (state: State, existed: Bool) {
        do { try FileManager.default.createDirectory(atPath: io.work, withIntermediateDirectories: true) } catch {
            throw .system(
                "cannot make the task's working directory \(io.work): \(error.localizedDescription)", code: "Workspace")
        }
        let lock = open(io.work + "/submit.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            throw .system(
                "cannot open \(io.work)/submit.lock: \(String(cString: strerror(errno)))", code: "Workspace")
        }
        defer { close(lock) }  // drops the lock
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw .system(
                    "cannot lock \(io.work)/submit.lock: \(String(cString: strerror(errno)))", code: "Workspace")
            }
        }
        if let state = existing(io) { return (state, true) }
        return (try start(), false)
    }

    /// Starts `command` in `io.work` with exactly `environment`; asks the host to poll `executionID` the moment
    /// it ends. `memoryBytes` caps its address space (a cap the shell may not set fails the attempt).
    ///
    /// Exactly once: the wrapper waits for a word on its stdin (a socket from this process) before it runs
    /// anything, and that word is written only after the pid file is. A host that dies in between closes the
    /// pipe, so the wrapper ends without running the command, and a resumed submit, finding no process, may
    /// start it: the command never runs twice for one attempt.
    public func start(
        _ command: [String], environment: [String: String], io: TaskIO, executionID: String,
        memoryBytes: Int64? = nil
    ) throws(PluginError) -> State {
        try? FileManager.default.removeItem(atPath: io.work + "/exit_code")
        try? FileManager.default.removeItem(atPath: io.work + "/limit_error")
        // sh: wait for the go, cd into the working directory, apply the limits, run, record the exit code.
        var script = "read -r go || exit 0; exec 0</dev/null; cd \"$1\" || exit 126; shift; "
        // The one limit a task states that a process can be held to: memory, as address space. resources.cpu is
        // a number of cores, not a time, and RLIMIT_NPROC counts every process of the user (root: not at all),
        // so neither has a per-task ulimit. A limit that cannot be set stops the attempt before the command runs.
        if let memoryBytes {
            script += Self.limit("-v", max(1, memoryBytes / 1024), "memory \(memoryBytes / 1_048_576) MiB")
        }
        // The exit code is written by the shell itself (no extra process); a half-written file does not parse
        // as a number and reads as "not finished yet".
        script += "\"$@\" >stdout.log 2>stderr.log; code=$?; echo $code > exit_code; exit $code"
        let argv = ["/bin/sh", "-c", script, "aloft-task", io.work] + command

        // A socket pair rather than a pipe: the go is sent with MSG_NOSIGNAL, so a wrapper that is already
        // gone cannot kill the host with SIGPIPE. Close-on-exec, so no other process the host starts
        // inherits either end (the wrapper gets its end through dup2, which clears the flag on the copy).
        var gate: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &gate) == 0 else {
            throw .system(
                "cannot start the task's process: socketpair: \(String(cString: strerror(errno)))", code: "Spawn")
        }
        defer { close(gate[1]) }
        let pid: Int32
        do { pid = try spawn(argv, environment: environment, stdin: gate[0]) } catch {
            close(gate[0])
            throw error
        }
        close(gate[0])
        if getenv("ALOFT_TEST_KILL_AT").map({ String(cString: $0) }) == "process-spawned" { kill(getpid(), SIGKILL) }
        let state = State(pid: pid, startTicks: Self.startTicks(pid) ?? 0)
        do { try Data(state.bytes).write(to: URL(fileURLWithPath: io.work + "/pid")) } catch {
            // Without a pid file a resumed submit could not find this process: do not let it run.
            kill(-pid, SIGKILL)
            throw .system(
                "cannot record the pid of the task's process in \(io.work): \(error.localizedDescription)",
                code: "Workspace")
        }
        // The go: from here on the command may run.
        let go: [UInt8] = Array("go\n".utf8)
        _ = go.withUnsafeBytes { send(gate[1], $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // Reap the child and ask for a poll the moment it ends, instead of waiting for the next poll.
        let services = host
        let startTicks = state.startTicks
        Thread.detachNewThread {
            var status: Int32 = 0
            var rc: Int32
            repeat { rc = waitpid(pid, &status, 0) } while rc == -1 && errno == EINTR
            if rc == -1 {
                services.log(.debug, "waitpid(\(pid)) failed: errno \(errno)", task: executionID)
            } else if status & 0x7f == 0 {  // WIFEXITED: the wrapper exits with the command's code
                ReapedExits.shared.record(pid: pid, startTicks: startTicks, code: (status >> 8) & 0xff)
            }
            services.requestPoll(executionID)
        }
        return state
    }

    public func status(_ state: State, io: TaskIO) -> Status {
        if let ended = recordedEnd(io) { return ended }
        if pollPauseMilliseconds > 0 { usleep(UInt32(pollPauseMilliseconds) * 1000) }
        if alive(state) { return .running(pid: state.pid) }
        // It may have written its exit code and ended after the first look: look again before calling it lost.
        if let ended = recordedEnd(io) { return ended }
        // The exit-code file could not be written (a full disk) but this host reaped the wrapper, whose exit
        // status is the command's code: the command ran to its end, it is not lost.
        if let code = ReapedExits.shared.code(pid: state.pid, startTicks: state.startTicks) {
            return .exited(code: code)
        }
        return .lost(pid: state.pid)
    }

    private func recordedEnd(_ io: TaskIO) -> Status? {
        guard let text = try? String(contentsOfFile: io.work + "/exit_code", encoding: .utf8),
            let code = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        if let limit = try? String(contentsOfFile: io.work + "/limit_error", encoding: .utf8) {
            return .limitRefused(limit.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return .exited(code: code)
    }

    /// SIGTERM to the whole process group, then SIGKILL to whatever of it still runs after `grace` (or as
    /// soon as the host says it cannot wait). Returns once the group is gone: a host that exits right after
    /// abort leaves nothing running (a detached killer thread would die with it).
    public func abort(_ state: State, executionID: String, grace: Duration = .seconds(5)) {
        guard alive(state) else { return }
        kill(-state.pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while kill(-state.pid, 0) == 0 {
            if ContinuousClock.now >= deadline || host.isUrgentlyCancelled(executionID) {
                kill(-state.pid, SIGKILL)
                // The group is gone once its members are reaped; a few milliseconds.
                for _ in 0..<100 where kill(-state.pid, 0) == 0 { usleep(10_000) }
                return
            }
            usleep(20_000)
        }
    }

    /// The variables a local task inherits from the host: nothing but these (a task's own env and Aloft's
    /// variables go on top).
    public static func baseEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" || $0.key == "LANG" }
    }

    /// `ulimit FLAG VALUE` for the wrapper; if the shell refuses, its message goes to stderr.log, what was
    /// asked for to limit_error, and the wrapper ends with 125 without running the command.
    static func limit(_ flag: String, _ value: Int64, _ what: String) -> String {
        "ulimit \(flag) \(value) 2>>stderr.log || { echo '\(what) (ulimit \(flag) \(value))' > limit_error; echo 125 > exit_code; exit 125; }; "
    }

    public func alive(_ s: State) -> Bool {
        guard kill(s.pid, 0) == 0 else { return false }
        return Self.startTicks(s.pid) == s.startTicks  // the pid was not reused by another process
    }

    public static func startTicks(_ pid: Int32) -> Int64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Field 22 overall; after "pid (comm)" it is the 20th.
        return fields.count > 19 ? Int64(fields[19]) : nil
    }

    private func spawn(_ argv: [String], environment: [String: String], stdin: Int32) throws(PluginError) -> Int32 {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)  // a new process group: abort signals the whole tree
        // Only stdin, stdout and stderr pass to the task, no descriptor the host inherited without close-on-exec:
        // a parent that learns of the host's end when one closes (Foundation's Process does) would otherwise
        // wait for the task as well. glibc ignores a descriptor that was closed in the meantime.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The wrapper's stdin is the gate (see start); the command's own stdin is /dev/null, never the host's.
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        for fd in ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap({
            Int32($0)
        }) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, cArgs, cEnv)
        guard rc == 0 else {
            throw .system("cannot start the task's process: \(String(cString: strerror(rc)))", code: "Spawn")
        }
        return pid
    }
}

/// Exit codes of the wrappers this host reaped, for a poll that finds no exit-code file (it could not be
/// written). Kept for the life of the process; a restarted host relies on the files alone.
final class ReapedExits: Sendable {
    static let shared = ReapedExits()
    private let codes = Mutex<[String: Int32]>([:])

    func record(pid: Int32, startTicks: Int64, code: Int32) { codes.withLock { $0["\(pid)/\(startTicks)"] = code } }

    func code(pid: Int32, startTicks: Int64) -> Int32? { codes.withLock { $0["\(pid)/\(startTicks)"] } }
}
