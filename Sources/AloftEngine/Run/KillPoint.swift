import FoundationEssentials
import Glibc

/// Crash tests kill the host at a named point of the engine: ALOFT_TEST_KILL_AT=<name> makes the process
/// SIGKILL itself when it gets there (as ALOFT_TEST_KILL_AT=process-spawned does in the process plugin).
enum KillPoint {
    private static let asked: String? = ProcessInfo.processInfo.environment["ALOFT_TEST_KILL_AT"]

    static func reached(_ name: String) {
        if asked == name { kill(getpid(), SIGKILL) }
    }

    /// A point reached many times: ALOFT_TEST_KILL_AT=<name>@<n> kills when `count` is n.
    static func reached(_ name: String, count: Int) {
        guard let asked, asked.hasPrefix(name) else { return }
        if asked == "\(name)@\(count)" { kill(getpid(), SIGKILL) }
    }
}
