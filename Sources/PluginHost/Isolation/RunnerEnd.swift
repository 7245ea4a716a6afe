#if canImport(Glibc)
import Glibc
#endif

/// How a plugin runner process ended, in words for errors and logs.
public enum RunnerEnd: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)
    /// The host killed it; `reason` says why (a call past its budget, a cancelled call that did not return).
    case killedByHost(reason: String)
    /// It sent something that is not a frame of the protocol (or closed its socket) and was killed.
    case brokeProtocol(String)

    public var description: String {
        switch self {
        case .exited(let status): return "exited with status \(status)"
        case .signalled(let signal): return "was killed by signal \(signal) (\(Self.name(of: signal)))"
        case .killedByHost(let reason): return "was killed by the host (\(reason))"
        case .brokeProtocol(let why): return "broke the runner protocol (\(why)) and was killed"
        }
    }

    /// The signal's name (ProbeFailure's table, shared with the probe), and for SIGXCPU what it means here.
    static func name(of signal: Int32) -> String {
        let name = ProbeFailure.signalName(signal)
        return signal == SIGXCPU ? name + ", its CPU time limit" : name
    }
}
