import Foundation
import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// Runs a container task as a local process: its own process group, a per-attempt working directory, the
/// task's environment, stdout/stderr to files, an exit-code file written by a small shell wrapper (so a
/// restarted host that is not the process's parent still learns how it ended).
struct ProcessBackend {
    let host: HostServices

    /// The resource state: enough to find the process again after a host restart.
    struct State {
        var pid: Int32
        var startTicks: Int64  // /proc/<pid>/stat field 22: tells a reused pid from ours

        var bytes: [UInt8] { JSONWriter.encode(.object(["pid": .integer(Int64(pid)), "start": .integer(startTicks)])) }

        init(pid: Int32, startTicks: Int64) {
            self.pid = pid
            self.startTicks = startTicks
        }

        init(_ bytes: [UInt8]) throws(PluginError) {
            guard let j = try? JSONParser.parse(bytes), let pid = j["pid"]?.integerValue, let start = j["start"]?.integerValue else {
                throw .system("the process backend's state is unreadable", code: "BadState", retryable: false)
            }
            self.init(pid: Int32(pid), startTicks: start)
        }
    }

    func submit(_ call: TaskCall, _ context: TaskContext, io: TaskIO, spec: ContainerSpec) throws(PluginError) -> [UInt8] {
        let command = spec.command, env = spec.env, memoryBytes = spec.memoryBytes
        // Idempotent: a submit repeated after a crash finds the process the first one started.
        if let data = FileManager.default.contents(atPath: io.work + "/pid"),
            let state = try? State([UInt8](data)), alive(state) || FileManager.default.fileExists(atPath: io.work + "/exit_code")
        {
            return state.bytes
        }
        try io.prepare(context)
        try? FileManager.default.removeItem(atPath: io.work + "/exit_code")
        try? FileManager.default.removeItem(atPath: io.work + "/limit_error")
        // sh: cd into the working directory, apply the limits, run, record the exit code.
        var script = "cd \"$1\" || exit 126; shift; "
        // The one limit a task states that a process can be held to: memory, as address space. resources.cpu is
        // a number of cores, not a time, and RLIMIT_NPROC counts every process of the user (root: not at all),
        // so neither has a per-task ulimit. A limit that cannot be set stops the attempt before the command runs.
        if let memoryBytes { script += Self.limit("-v", max(1, memoryBytes / 1024), "memory \(memoryBytes / 1_048_576) MiB") }
        // The exit code is written by the shell itself (no extra process); a half-written file does not parse
        // as a number and reads as "not finished yet".
        script += "\"$@\" >stdout.log 2>stderr.log; code=$?; echo $code > exit_code; exit $code"
        let argv = ["/bin/sh", "-c", script, "aloft-task", io.work] + command
        var environment = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" || $0.key == "LANG" }
        environment.merge(env) { _, task in task }
        environment.merge(io.aloftEnvironment(call, context)) { _, aloft in aloft }

        let pid = try spawn(argv, environment: environment)
        let state = State(pid: pid, startTicks: Self.startTicks(pid) ?? 0)
        do { try Data(state.bytes).write(to: URL(fileURLWithPath: io.work + "/pid")) } catch {
            host.log(.warning, "cannot record the pid of \(call.executionID): \(error)", task: call.executionID)
        }
        // Reap the child and ask for a poll the moment it ends, instead of waiting for the next poll.
        let id = call.executionID, services = host
        Thread.detachNewThread {
            var status: Int32 = 0
            var rc: Int32
            repeat { rc = waitpid(pid, &status, 0) } while rc == -1 && errno == EINTR
            if rc == -1 { services.log(.debug, "waitpid(\(pid)) failed: errno \(errno)", task: id) }
            services.requestPoll(id)
        }
        return state.bytes
    }

    func poll(_ call: TaskCall, io: TaskIO, types: TypeMap, memoryBytes: Int64?) throws(PluginError) -> PollResult {
        let state = try State(call.state)
        if let text = try? String(contentsOfFile: io.work + "/exit_code", encoding: .utf8), let code = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            if let limit = try? String(contentsOfFile: io.work + "/limit_error", encoding: .utf8) {
                return .failed(.system("cannot apply the task's limit on \(limit.trimmingCharacters(in: .whitespacesAndNewlines)); "
                    + "most likely the process running Aloft has a lower hard limit that it may not raise: ask for less, or raise that limit"
                    + ExitStatus.tail(io.work + "/stderr.log"), code: "ResourceLimit", retryable: false))
            }
            if code == 0 { return .succeeded(try io.outputs(types)) }
            return .failed(ExitStatus.failure(code: code, io: io, memoryBytes: memoryBytes))
        }
        // The reaper thread asks for an early poll; the hint bounds the wait when that wake-up is missed.
        if alive(state) { return .running(pollAfter: .milliseconds(100), status: "pid \(state.pid)") }
        // Gone without an exit code: the wrapper itself was killed (abort, OOM killer, reboot).
        return .failed(.system("the task's process \(state.pid) disappeared without an exit code" + ExitStatus.tail(io.work + "/stderr.log"),
                               code: "ProcessLost", retryable: true))
    }

    func abort(_ call: TaskCall) {
        guard let state = try? State(call.state), alive(state) else { return }
        kill(-state.pid, SIGTERM)  // the whole process group
        let pid = state.pid
        Thread.detachNewThread {
            // Whatever ignores SIGTERM for five seconds is killed.
            for _ in 0..<50 {
                if kill(-pid, 0) != 0 { return }
                usleep(100_000)
            }
            kill(-pid, SIGKILL)
        }
    }

    /// `ulimit FLAG VALUE` for the wrapper; if the shell refuses, its message goes to stderr.log, what was
    /// asked for to limit_error, and the wrapper ends with 125 without running the command.
    static func limit(_ flag: String, _ value: Int64, _ what: String) -> String {
        "ulimit \(flag) \(value) 2>>stderr.log || { echo '\(what) (ulimit \(flag) \(value))' > limit_error; echo 125 > exit_code; exit 125; }; "
    }

    private func alive(_ s: State) -> Bool {
        guard kill(s.pid, 0) == 0 else { return false }
        return Self.startTicks(s.pid) == s.startTicks  // the pid was not reused by another process
    }

    static func startTicks(_ pid: Int32) -> Int64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Field 22 overall; after "pid (comm)" it is the 20th.
        return fields.count > 19 ? Int64(fields[19]) : nil
    }

    private func spawn(_ argv: [String], environment: [String: String]) throws(PluginError) -> Int32 {
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
        for fd in ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap({ Int32($0) }) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        // Nor the host's stdin: a task that reads it would take what was typed to aloft.
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, cArgs, cEnv)
        guard rc == 0 else { throw .system("cannot start the task's process: \(String(cString: strerror(rc)))", code: "Spawn") }
        return pid
    }
}
