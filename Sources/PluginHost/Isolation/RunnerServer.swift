import AloftSystem
import AloftWire
import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// The runner's side of `isolation: process`: loads one plugin exactly as the host would (in this process,
/// with its own thread pool and callback table) and serves the host's calls from the socket on `fd`.
/// Callbacks cross back: log lines and request_poll as frames, get_secret as a request the host answers;
/// is_cancelled is answered here from the cancel and hurry frames the host sends.
///
/// Budgets are the host's to enforce (it kills a runner whose call overran), so calls here have none.
public enum RunnerServer {
    public static func serve(fd: Int32) async -> Never {
        let channel = FrameChannel(fd: fd)
        guard let first = channel.receive(), case .setup(let setup)? = try? HostToRunner(decoding: first) else {
            StandardStreams.writeError("aloft-plugin-runner: the first frame is not a setup\n")
            exit(65)
        }
        if let problem = RunnerLimitsApplier.apply(setup.limits) {
            channel.send(RunnerToHost.refused(reason: problem).encoded)
            exit(0)
        }
        let secrets = RemoteSecretStore(channel: channel)
        let logger = Logger(label: "aloft-runner") { _ in ForwardingLogHandler(channel: channel) }
        let services = HostServices(logger: logger, secrets: secrets, secretPolicy: SecretPolicy(allowingAll: ()))
        services.signals.onWakeup { id in channel.send(RunnerToHost.requestPoll(taskExecutionID: id).encoded) }

        var configuration = HostConfiguration()
        configuration.callOptions = PluginCallOptions(
            callBudget: .seconds(365 * 86_400), initBudget: setup.initBudget,
            threads: setup.threads, quarantineAfter: .max, maxStateBytes: setup.maxStateBytes)
        let catalog = await PluginCatalog.load(
            configuration: configuration, services: services,
            files: [(setup.path, .config)], fallbackConfig: setup.config)
        guard let record = catalog.records.first, case .loaded(let loaded) = record.status,
            let plugin = loaded as? LoadedPlugin
        else {
            let reason = catalog.records.first?.refusal?.description ?? "the file was not loaded"
            channel.send(RunnerToHost.refused(reason: reason).encoded)
            exit(0)
        }
        channel.send(RunnerToHost.ready(descriptor: plugin.descriptor, checksTasks: plugin.checksTasks).encoded)

        while let body = channel.receive() {
            let message: HostToRunner
            do { message = try HostToRunner(decoding: body) } catch {
                StandardStreams.writeError("aloft-plugin-runner: a malformed frame from the host: \(error)\n")
                break
            }
            switch message {
            case .setup: break
            case .call(let id, let call, let task, let template):
                plugin.serveDirect(call, task: task, template: template) { reply in
                    channel.send(RunnerToHost.reply(id: id, reply).encoded)
                }
            case .cancel(let taskID): services.signals.cancel(taskID)
            case .hurry: services.signals.hurry()
            case .secret(let id, let value): secrets.answer(id, value)
            }
        }
        // The host closed the socket: it is shutting down (or gone). Shut the plugin down and leave.
        plugin.shutdown()
        exit(0)
    }
}

/// Secrets asked of the host, one request at a time per caller; the plugin's thread waits for the answer.
final class RemoteSecretStore: SecretStore {
    private let channel: FrameChannel
    private let nextID = Atomic<UInt64>(1)
    private let waiting = Mutex<[UInt64: (semaphore: DispatchSemaphore, value: [UInt8]?)]>([:])

    init(channel: FrameChannel) { self.channel = channel }

    func secret(named name: String) -> [UInt8]? {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let semaphore = DispatchSemaphore(value: 0)
        waiting.withLock { $0[id] = (semaphore, nil) }
        guard channel.send(RunnerToHost.secretRequest(id: id, name: name).encoded),
            semaphore.wait(timeout: .now() + 30) == .success
        else {
            _ = waiting.withLock { $0.removeValue(forKey: id) }
            return nil
        }
        return waiting.withLock { $0.removeValue(forKey: id)?.value }
    }

    func answer(_ id: UInt64, _ value: [UInt8]?) {
        let semaphore = waiting.withLock { w -> DispatchSemaphore? in
            guard let entry = w[id] else { return nil }
            w[id] = (entry.semaphore, value)
            return entry.semaphore
        }
        semaphore?.signal()
    }
}

/// Sends every log line to the host, which logs it as the plugin's (and redacts it again).
struct ForwardingLogHandler: LogHandler {
    let channel: FrameChannel
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let task = event.metadata?["task"] ?? metadata["task"]
        let (level, message) = (event.level, event.message)
        let code: UInt32
        switch level {
        case .trace: code = 0
        case .debug: code = 1
        case .info, .notice: code = 2
        case .warning: code = 3
        case .error, .critical: code = 4
        }
        channel.send(RunnerToHost.log(level: code, task: task.map { "\($0)" }, message: "\(message)").encoded)
    }
}
