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
        // sh: cd into the working directory, apply the memory limit, run, record the exit code.
        var script = "cd \"$1\" || exit 126; shift; "
        if let memoryBytes { script += "ulimit -v \(max(1, memoryBytes / 1024)) 2>/dev/null; " }
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
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        let rc = posix_spawn(&pid, "/bin/sh", nil, &attr, cArgs, cEnv)
        guard rc == 0 else { throw .system("cannot start the task's process: \(String(cString: strerror(rc)))", code: "Spawn") }
        return pid
    }
}
