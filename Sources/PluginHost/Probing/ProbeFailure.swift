#if canImport(Glibc)
import Glibc
#endif

/// What a plugin file did when it was loaded in a child process first: why the host refuses to load it.
public enum ProbeFailure: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The child was killed by a signal (SIGSEGV, SIGBUS, SIGABRT, ...).
    case crashed(signal: Int32, stage: ProbeStage)
    /// The child exited (the plugin called exit) before finishing.
    case exited(status: Int32, stage: ProbeStage)
    /// A step did not return within the init budget.
    case timedOut(seconds: Double, stage: ProbeStage)
    /// The probe itself could not run (the runner is missing or would not start).
    case unprobed(String)

    public var description: String {
        switch self {
        case .crashed(let signal, let stage):
            return "crashed with \(Self.signalName(signal)) while \(stage.phrase), in a probe process"
        case .exited(let status, let stage):
            return "exited with status \(status) while \(stage.phrase), in a probe process"
        case .timedOut(let seconds, let stage):
            return "did not finish \(stage.phrase) within \(seconds) s, in a probe process (killed)"
        case .unprobed(let why): return "could not be probed: \(why)"
        }
    }

    public var kind: String {
        switch self {
        case .crashed: return "probe-crashed"
        case .exited: return "probe-exited"
        case .timedOut: return "probe-timed-out"
        case .unprobed: return "unprobed"
        }
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGABRT: "SIGABRT", SIGILL: "SIGILL", SIGFPE: "SIGFPE",
            SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP", SIGSYS: "SIGSYS", SIGXCPU: "SIGXCPU",
            SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGPIPE: "SIGPIPE", SIGHUP: "SIGHUP", SIGUSR1: "SIGUSR1",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
