import AloftWire
import PluginHost

/// A plugin call the engine is about to make or is making for a node, stored in the node's state before the
/// call: a resumed execution that finds it knows the previous host died inside that call (issue 16). Resumes
/// repeat the call at most `CallInFlight.deathsTolerated` times; the next fails the attempt instead of
/// crashing the host again.
///
/// Deaths count only while the call never returns: once any call of the attempt returns, the next mark
/// starts again from 0. A poll is made every 100 ms to seconds for as long as a task runs, so hosts killed
/// from outside (an operator, an OOM kill, a rolling restart of workers) often land in one; counted over the
/// whole attempt, two such kills failed a healthy task. A plugin call that kills the host never returns, so
/// it still fails the attempt at its second death. A plugin that kills the host only now and then is bounded
/// by the node's count of host deaths in all its calls (`NodeState.hostDeaths`, `nodeDeathsTolerated`).
public struct CallInFlight: Sendable, Equatable, Codable {
    /// submit, poll, abort or finalize.
    public var call: String
    public var attempt: Int
    /// How many hosts already died in this call, one after another, without it returning in between.
    public var deaths: Int

    public init(call: String, attempt: Int, deaths: Int = 0) {
        self.call = call
        self.attempt = attempt
        self.deaths = deaths
    }

    /// One death may be bad luck (an OOM kill, a SIGKILL from a user); a second in the same call, which never
    /// returned in between, is the plugin.
    public static let deathsTolerated = 1

    /// Hosts may die in a node's calls this many times in all (each call returning in between); the next
    /// death fails the attempt.
    public static let nodeDeathsTolerated = 4

    /// The attempt's error once the host died in this call, or in the node's calls in all (`total`), more often
    /// than tolerated.
    func failure(plugin: String, total: Int) -> TaskError {
        let message =
            deaths > Self.deathsTolerated
            ? "plugin \(plugin): the host died during this call (\(call) of attempt \(attempt)), \(deaths) times; "
                + "the attempt fails instead of making the call again"
            : "plugin \(plugin): the host died \(total) times during this node's plugin calls (the last in \(call) "
                + "of attempt \(attempt)); the attempt fails instead of making the call again"
        return TaskError(kind: .system, retryable: false, code: .hostDiedInPluginCall, message: message)
    }
}
