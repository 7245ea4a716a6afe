import AloftCompiler
import AloftEngine
import AloftWire

/// `aloft serve --workers`: executions launched, relaunched or recovered through the API are stored as queued
/// for `aloft worker` processes sharing the store (as `run --detach` does) instead of running in the server.
/// The new execution is stored (phase `queued`) before the request answers, as in the server's own runs.
struct WorkerHandoff: Sendable {
    let store: any MetadataStore

    /// A new execution of a launchable's plan, queued.
    func launch(
        _ plan: CompiledSpec, workflow: String, inputs: LiteralMap, project: String, domain: String, id: String,
        launchedFrom: String, labels: [String: String]
    ) throws {
        let record: ExecutionRecord
        do {
            (record, _) = try ExecutionEngine.newExecution(
                plan, workflow: workflow, inputs: inputs, project: project, domain: domain, id: id,
                launchedFrom: launchedFrom, labels: labels)
        } catch let e as ExecutionEngine.Failure { throw APIError.badRequest(e.message) }
        try store.enqueue(record)
    }

    /// The same plan and inputs as `old`, queued as a new execution (what ExecutionEngine.relaunch stores).
    func relaunch(_ old: ExecutionRecord, newID: String) throws {
        if let damage = old.damage { throw APIError.badRequest("cannot relaunch \(old.id): \(damage)") }
        try store.enqueue(
            ExecutionRecord(
                id: newID, project: old.project, domain: old.domain, workflow: old.workflow, spec: old.spec,
                inputs: old.inputs, launchedFrom: "relaunch of \(old.id)", labels: old.labels))
    }

    /// What ExecutionEngine.recover stores, queued: the new execution with the old one's reused nodes.
    func recover(_ old: ExecutionRecord, newID: String) throws {
        do {
            let (record, reused, _) = try ExecutionEngine.recovery(of: old.id, newID: newID, store: store)
            try store.enqueue(record, nodes: reused)
        } catch let e as ExecutionEngine.Failure {
            throw APIError.badRequest("cannot recover \(old.id): \(e.message)")
        }
    }
}
