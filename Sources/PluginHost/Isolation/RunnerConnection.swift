import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
import AloftSystem
#endif

/// The host's side of one runner process: spawns it with a socket at descriptor 3, sends calls, and reads
/// the runner's frames on a thread of its own: replies end their pending call; log lines, secret requests
/// and request_poll are served as the in-process callback table would. When the runner ends, every call
/// still pending ends with how it ended.
final class RunnerConnection: Sendable {
    struct StartError: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    /// The file name until the runner says the plugin's id.
    private let pluginIDStorage: Mutex<String>
    var pluginID: String { pluginIDStorage.withLock { $0 } }
    private let channel: FrameChannel
    private let services: HostServices
    private let nextID = Atomic<UInt64>(1)
    private let state = Mutex<State>(State())
    /// Set when the host kills the runner, so its death reads as why it was killed, not as SIGKILL.
    private let killReason = Mutex<RunnerEnd?>(nil)
    private let ready = OneShot<Startup>()

    private enum Startup: Sendable {
        case ready(PluginDescriptor, checksTasks: Bool)
        case refused(String)
        case died(RunnerEnd)
        case timedOut
    }

    private struct State {
        var pending: [UInt64: PendingCall] = [:]
        var end: RunnerEnd?
    }

    private init(pid: pid_t, channel: FrameChannel, pluginID: String, services: HostServices) {
        self.pid = pid
        self.channel = channel
        self.pluginIDStorage = Mutex(pluginID)
        self.services = services
    }

    /// Starts a runner for `setup` and waits until its plugin is loaded and initialized (or refused, or
    /// `readyWithin` passes). `pluginID` names the plugin in log lines before the runner says its id.
    static func start(
        runner: String, setup: RunnerSetup, pluginID: String, services: HostServices,
        readyWithin: Duration
    ) async throws(StartError) -> (RunnerConnection, PluginDescriptor, checksTasks: Bool) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw StartError(description: "socketpair: \(String(cString: strerror(errno)))")
        }
        var environment = ProcessInfo.processInfo.environment
        // A crashing plugin is reported by the host; the runtime's backtrace would only slow the restart.
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let pid: pid_t
        do {
            // The plugin's own printing goes to the host's standard error, never into the socket.
            pid = try ChildProcess.spawn(runner, ["serve"], environment, redirects: [(2, 1), (2, 2), (fds[1], 3)])
        } catch {
            Glibc.close(fds[0])
            Glibc.close(fds[1])
            throw StartError(description: error.description)
        }
        Glibc.close(fds[1])
        let connection = RunnerConnection(
            pid: pid, channel: FrameChannel(fd: fds[0]), pluginID: pluginID, services: services)
        connection.channel.send(HostToRunner.setup(setup).encoded)
        HostThread.start(name: "aloft-runner-io") { connection.readLoop() }
        let token = Watchdog.shared.schedule(at: .now + readyWithin) { [connection] in
            connection.ready.resolve(.timedOut)
        }
        let startup = await connection.ready.wait()
        Watchdog.shared.cancel(token)
        switch startup {
        case .ready(let descriptor, let checks):
            return (connection, descriptor, checks)
        case .refused(let reason):
            connection.kill(reason: "refused its plugin")
            throw StartError(description: reason)
        case .timedOut:
            connection.kill(reason: "not ready within \(readyWithin.secondsValue) s")
            throw StartError(
                description: "the runner did not load and initialize the plugin within \(readyWithin.secondsValue) s")
        case .died(let how):
            throw StartError(description: "the runner \(how) while loading the plugin")
        }
    }

    var isAlive: Bool { state.withLock { $0.end == nil } }

    /// Calls of `lane` the runner has not answered (some may no longer be waited for).
    func pending(lane: String) -> [PendingCall] {
        state.withLock { $0.pending.values.filter { $0.lane == lane } }
    }

    /// Sends one call; the returned pending call ends with its reply or the runner's end.
    func send(_ call: RunnerCall, task: TaskInvocation?, template: [UInt8] = []) -> PendingCall {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let pending = PendingCall(call: call, lane: task?.executionID)
        let ended = state.withLock { s -> RunnerEnd? in
            if let end = s.end { return end }
            s.pending[id] = pending
            return nil
        }
        if let ended {
            pending.end.resolve(.died(ended))
        } else {
            // A failed send means the runner is going; its end resolves the call.
            channel.send(HostToRunner.call(id: id, call: call, task: task, template: template).encoded)
        }
        return pending
    }

    func tell(_ message: HostToRunner) { channel.send(message.encoded) }

    /// Kills the runner; its pending calls end with `.killedByHost(reason)`.
    func kill(reason: String) {
        killReason.withLock { if $0 == nil { $0 = .killedByHost(reason: reason) } }
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// Asks the runner to shut its plugin down and exit (end of stream on its socket); kills it if it
    /// has not exited by `deadline`.
    func close(until deadline: ContinuousClock.Instant) {
        channel.shutdownBoth()
        while isAlive && ContinuousClock.now < deadline { usleep(10_000) }
        if isAlive { kill(reason: "did not exit when the host shut down") }
    }

    // MARK: The reader thread

    private func readLoop() {
        var broken: String?
        while let body = channel.receive() {
            do {
                try handle(try RunnerToHost(decoding: body))
            } catch {
                broken = "\(error)"
                break
            }
        }
        if let broken {
            killReason.withLock { if $0 == nil { $0 = .brokeProtocol(broken) } }
            _ = Glibc.kill(pid, SIGKILL)
        }
        let end = reap()
        channel.close()
        let pending = state.withLock { s -> [PendingCall] in
            s.end = end
            defer { s.pending.removeAll() }
            return Array(s.pending.values)
        }
        ready.resolve(.died(end))
        for call in pending { call.end.resolve(.died(end)) }
    }

    private func handle(_ message: RunnerToHost) throws(FrameError) {
        switch message {
        case .ready(let descriptor, let checks):
            pluginIDStorage.withLock { $0 = descriptor.id }
            ready.resolve(.ready(descriptor, checksTasks: checks))
        case .refused(let reason):
            ready.resolve(.refused(reason))
        case .reply(let id, let reply):
            let call = state.withLock { $0.pending.removeValue(forKey: id) }
            call?.end.resolve(.reply(reply))
        case .log(let level, let task, let message):
            services.log(plugin: pluginID, level: level, task: task, message: message)
        case .secretRequest(let id, let name):
            let value: [UInt8]?
            if case .value(let bytes) = services.secret(plugin: pluginID, name: name) {
                value = bytes
            } else {
                value = nil
            }
            channel.send(HostToRunner.secret(id: id, value: value).encoded)
        case .requestPoll(let taskID):
            services.signals.requestPoll(taskID)
        }
    }

    /// Waits for the process (it has closed its socket, so it is ending; one that closed it and lives on
    /// is killed after two seconds) and says how it ended.
    private func reap() -> RunnerEnd {
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(2)
        var rc = waitpid(pid, &status, WNOHANG)
        while rc == 0 && ContinuousClock.now < deadline {
            usleep(5_000)
            rc = waitpid(pid, &status, WNOHANG)
        }
        if rc == 0 {
            killReason.withLock { if $0 == nil { $0 = .brokeProtocol("closed its socket but did not exit") } }
            _ = Glibc.kill(pid, SIGKILL)
            repeat { rc = waitpid(pid, &status, 0) } while rc == -1 && errno == EINTR
        }
        if let reason = killReason.withLock({ $0 }) { return reason }
        return (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
    }
}
