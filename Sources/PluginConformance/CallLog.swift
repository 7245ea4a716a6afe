import AloftWire
import PluginHost
import Synchronization

/// Every task call the checks made, with how long it took and how it ended: the "every call returns within
/// its budget" check reads it at the end.
final class CallLog: Sendable {
    struct Entry: Sendable {
        var call: String
        var executionID: String
        var duration: Duration
        var error: TaskError?
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ call: String, _ executionID: String, since start: ContinuousClock.Instant, error: TaskError?) {
        let entry = Entry(call: call, executionID: executionID, duration: ContinuousClock.now - start, error: error)
        entries.withLock { $0.append(entry) }
    }

    var all: [Entry] { entries.withLock { $0 } }

    /// Calls the host stopped waiting for at their budget.
    var overruns: [Entry] { all.filter { $0.error?.code == .pluginCallOverran } }
}
