import AloftWire
import FoundationEssentials
import Logging
import PluginABI
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The child's side of a probe (run by `aloft-plugin-runner probe FILE`): loads the file as the host would,
/// reporting each step on standard output before taking it, so that if the plugin kills the process the
/// host knows where. Lines: `stage <name>`, `descriptor <JSON>` (once read), `overran <stage> <seconds>`, `done`.
///
/// A refusal the host can find safely itself (a bad ABI version, a NULL entry result) ends the probe with
/// `done` too: the host loads the file and refuses it with the same words.
public enum ProbeChild {
    public static func run(path: String, request: ProbeRequest) -> Never {
        let services = HostServices(logger: Logger(label: "aloft-probe", factory: { _ in SwiftLogNoOpLogHandler() }))
        let pool = PluginThreadPool(name: "probe", width: 1)
        let budget = request.initBudget
        let opened: Result<PluginLibrary, PluginRefusal>
        do {
            opened = try pool.runBlocking(lane: nil, budget: budget) {
                Result { () throws(PluginRefusal) in
                    try PluginLibrary.open(path: path, services: services, stage: report)
                }
            }
        } catch {
            finish("overran \(lastStage.withLock { $0 }.rawValue) \(budget.secondsValue)")
        }
        guard case .success(let library) = opened else { finish("done") }
        writeLine("descriptor " + JSONWriter.string(library.descriptor.json))
        guard let config = request.config(for: library.descriptor.id) else { finish("done") }
        report(.initializing)
        let configBytes = JSONWriter.encode(config)
        let raw = library.raw
        let outcome: InitOutcome
        do {
            outcome = try pool.runBlocking(lane: nil, budget: budget) { InitOutcome.call(raw, config: configBytes) }
        } catch {
            finish("overran init \(budget.secondsValue)")
        }
        if case .ready(let instance) = outcome, let shutdownFn = raw.pointer.pointee.shutdown {
            report(.shutdown)
            let value = InitOutcome.Instance(value: instance.value, extensions: instance.extensions)
            do {
                _ = try pool.runBlocking(lane: nil, budget: budget) { shutdownFn(value.value) }
            } catch {
                finish("overran shutdown \(budget.secondsValue)")
            }
        }
        report(.finished)
        finish("done")
    }

    /// The last stage reported, read by the thread that notices an overrun.
    private static let lastStage = Mutex(ProbeStage.dlopen)

    private static func report(_ stage: ProbeStage) {
        lastStage.withLock { $0 = stage }
        writeLine("stage \(stage.rawValue)")
    }

    /// Unbuffered: the process may die right after.
    private static func writeLine(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if errno != EINTR {
                    return
                }
            }
        }
    }

    /// Ends the child at once: no atexit handlers or library destructors of the plugin run after a verdict.
    private static func finish(_ line: String) -> Never {
        writeLine(line)
        _exit(0)
    }
}
