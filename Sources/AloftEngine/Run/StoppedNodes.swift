import AloftWire
import Logging
import PluginHost
import Synchronization

/// The nodes of one execution the engine had to stop, with why: their state could not be stored, or it
/// was asked to take a transition it cannot take (a bug in the engine). Whatever a stopped node's state says
/// in memory, its scope treats it as failed: nothing downstream runs on a state the store does not hold.
final class StoppedNodes: Sendable {
    private let reasons = Mutex<[String: String]>([:])

    func stop(_ path: String, because reason: String) { reasons.withLock { $0[path] = $0[path] ?? reason } }

    /// Asked for every node as it ends (a chain's, on the plugin's thread and the writer's): almost always of an
    /// execution with none stopped, which answers without hashing the path.
    func reason(_ path: String) -> String? { reasons.withLock { $0.isEmpty ? nil : $0[path] } }
}

extension ExecutionContext {
    /// Reports a node the engine stops, the one way for every kind of node: an error in the log, and the
    /// reason kept for its scope (see StoppedNodes).
    func stop(_ path: String, because reason: String) {
        logger.error("node \(path) of \(execution.id): \(reason); stopping this node")
        stopped.stop(path, because: reason)
    }

    /// Commits the record (see persist); a store that fails stops the node. True when stored.
    func store(_ record: NodeRecord, committedByCaller: Bool = false) -> Bool {
        do {
            try persist(record, committedByCaller: committedByCaller)
            return true
        } catch {
            stop(record.node, because: "cannot persist its state: \(error)")
            return false
        }
    }

    /// `store` for several records at once (see persist(all:)); a store that fails stops every one of them.
    func store(all records: [NodeRecord], committedByCaller: Bool = false) -> Bool {
        do {
            try persist(all: records, committedByCaller: committedByCaller)
            return true
        } catch {
            for r in records { stop(r.node, because: "cannot persist its state: \(error)") }
            return false
        }
    }

    /// Applies `event` to the record's state; a transition the state machine refuses stops the node.
    func apply(_ event: NodeState.Event, to record: inout NodeRecord) -> NodeState.Action? {
        do { return try record.state.apply(event) } catch {
            stop(record.node, because: "\(error) (a bug in the engine)")
            return nil
        }
    }

    /// Why the node at `path` did not succeed, or nil when it did (succeeded, and not stopped).
    func failure(of record: NodeRecord) -> String? {
        if let reason = stopped.reason(record.node) { return reason }
        if record.state.phase == .succeeded { return nil }
        return record.state.lastError?.message ?? record.state.phase.rawValue
    }
}
