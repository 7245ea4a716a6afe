import AloftWire
import PluginHost

/// The checks of a synchronous task type (ABI 1.1, aloft/sync.h), in place of the submit/poll lifecycle: a
/// task completes in one run_sync call with outputs that match the interface, and a second call with the same
/// task execution id ends the same.
struct SyncChecks: Sendable {
    let context: CheckContext

    static let names = (
        call: "a synchronous task completes in one run_sync call",
        twice: "run_sync twice with one task execution id"
    )

    func run() async -> [CheckResult] {
        let task = context.factory.task(node: "sync")
        let declared = context.factory.subject.template.interface.outputs
        let call = await context.perform(Self.names.call, rule: .syncCall) { calls throws(CheckFailure) in
            let outputs = try await calls.runSync(task, rule: .syncCall)
            let shown = JSONWriter.string(outputs.json)
            let problems = outputs.mismatches(against: declared)
            guard problems.isEmpty else {
                throw CheckFailure(
                    rule: .outputsMatch,
                    detail: "outputs \(shown) do not match the interface \(JSONWriter.string(declared.json)): "
                        + problems.joined(separator: "; "))
            }
            return "outputs \(shown) match \(JSONWriter.string(declared.json))"
        }
        guard call.status == .pass else {
            return [
                call,
                context.skipped(
                    Self.names.twice, rule: .syncIdempotent,
                    because: "not run: see \"\(Self.names.call)\""),
            ]
        }
        let twice = await context.perform(Self.names.twice, rule: .syncIdempotent) { calls throws(CheckFailure) in
            let first = try await calls.runSync(task, rule: .syncIdempotent, label: "first run_sync")
            let second = try await calls.runSync(task, rule: .syncIdempotent, label: "second run_sync")
            guard first == second else {
                throw CheckFailure(
                    rule: .syncIdempotent,
                    detail: "the same task execution id gave \(JSONWriter.string(first.json)), then "
                        + JSONWriter.string(second.json))
            }
            return "both calls returned \(JSONWriter.string(first.json))"
        }
        return [call, twice]
    }
}
