import AloftEngine
import Foundation

extension CLI {
    /// Waits until the newest execution in `dir`'s store has a resource state for `node` (its plugin accepted
    /// the submit and the host persisted the state) and `ready()` holds, then SIGKILLs the `aloft` process:
    /// the crash the resume tests recover from. The execution id, or nil if that never happened in time.
    static func killAfterSubmit(
        _ process: Process, dir: String, node: String = "a", timeout: TimeInterval = 30,
        ready: () -> Bool = { true }
    ) -> String? {
        var id: String?
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if ready(), let store = try? SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite"),
                let e = try? store.executions(project: nil, domain: nil, limit: 1).first,
                (try? store.nodes(execution: e.id))?.first(where: { $0.node == node })?.resourceState != nil
            {
                id = e.id
                break
            }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return id
    }
}
