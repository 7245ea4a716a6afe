import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
import AloftSystem
#endif

/// A helper process the host starts (a plugin probe, later a plugin runner): its input is written whole
/// before it starts, its output read once it ended, and it is killed when it outlives its time.
///
/// posix_spawn rather than Foundation's Process: the child must get an empty signal mask and default
/// handlers (the CLI blocks SIGINT and SIGTERM in every thread), and only the descriptors given here.
struct ChildProcess {
    enum End: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    struct Outcome {
        let end: End
        let output: [UInt8]
        /// True when the host killed it for outliving `timeout`.
        let timedOut: Bool
    }

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `executable` with `arguments`, feeds it `input`, and waits (without blocking a cooperative
    /// thread) until it ends or `timeout` passes, when it is killed with SIGKILL.
    static func run(
        executable: String, arguments: [String], environment: [String: String], input: [UInt8],
        timeout: Duration
    ) async throws(SpawnError) -> Outcome {
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        guard makePipe(&inPipe) else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        guard makePipe(&outPipe) else {
            close(inPipe[0])
            close(inPipe[1])
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        defer { close(outPipe[0]) }
        // The whole input goes into the pipe before the child exists: nothing can block on it or die of SIGPIPE.
        if input.count > 60_000 { _ = fcntl(inPipe[1], setPipeSize, Int32(input.count + 4096)) }
        let written = input.withUnsafeBytes { write(inPipe[1], $0.baseAddress, $0.count) }
        close(inPipe[1])
        guard written == input.count else {
            close(inPipe[0])
            close(outPipe[1])
            throw SpawnError(description: "the input (\(input.count) bytes) does not fit in a pipe")
        }
        let pid: pid_t
        do {
            pid = try spawn(executable, arguments, environment, redirects: [(inPipe[0], 0), (outPipe[1], 1)])
        } catch {
            close(inPipe[0])
            close(outPipe[1])
            throw error
        }
        close(inPipe[0])
        close(outPipe[1])

        let killed = Atomic<Bool>(false)
        let token = Watchdog.shared.schedule(at: .now + timeout) {
            killed.store(true, ordering: .releasing)
            kill(pid, SIGKILL)
        }
        let status: Int32 = await withCheckedContinuation { continuation in
            HostThread.start(name: "aloft-waitpid") {
                var status: Int32 = 0
                var rc: Int32
                repeat { rc = waitpid(pid, &status, 0) } while rc == -1 && errno == EINTR
                continuation.resume(returning: status)
            }
        }
        Watchdog.shared.cancel(token)
        let end: End = (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
        return Outcome(end: end, output: drain(outPipe[0]), timedOut: killed.load(ordering: .acquiring))
    }

    /// F_SETPIPE_SZ (Linux; Glibc does not export it without _GNU_SOURCE).
    private static let setPipeSize: Int32 = 1031

    /// A pipe whose ends do not pass to other children (pipe2 is not exported either).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// What is in the pipe now, without waiting for writers that may still hold it (a grandchild).
    private static func drain(_ fd: Int32) -> [UInt8] {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while out.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                out += chunk[0..<n]
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return out
    }

    /// Starts `executable` with an empty signal mask and default handlers. Each redirect puts `source`
    /// at descriptor `target` in the child; standard descriptors not redirected read and write /dev/null,
    /// and no other descriptor of the host passes on.
    static func spawn(
        _ executable: String, _ arguments: [String], _ environment: [String: String],
        redirects: [(source: Int32, target: Int32)]
    ) throws(SpawnError) -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let targets = Set(redirects.map(\.target))
        // Sources that are also targets would be overwritten before use: every source moves first to a
        // scratch descriptor above all of them and all targets, then to its target.
        let scratch = (redirects.flatMap { [$0.source, $0.target] }.max() ?? 2) + 1
        let scratchRange = scratch..<(scratch + Int32(redirects.count))
        for (i, r) in redirects.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, r.source, scratch + Int32(i))
        }
        for (i, r) in redirects.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, scratch + Int32(i), r.target)
        }
        for fd in scratchRange { posix_spawn_file_actions_addclose(&actions, fd) }
        for fd: Int32 in 0...2 where !targets.contains(fd) {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        // No descriptor the host holds without close-on-exec passes on (a pipe someone waits to see closed).
        for fd in ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap({
            Int32($0)
        })
        where fd > 2 && !targets.contains(fd) && !scratchRange.contains(fd) {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var pid: pid_t = 0
        let cArgs = ([executable] + arguments).map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        let rc = posix_spawn(&pid, executable, &actions, &attr, cArgs, cEnv)
        guard rc == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return pid
    }
}
