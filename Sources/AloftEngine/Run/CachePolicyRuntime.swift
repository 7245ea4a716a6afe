public import AloftCompiler
import AloftTyping
public import AloftWire
import FoundationEssentials

/// How a task call finds, waits for and writes its cache entry.
public struct CacheLookup: Sendable {
    public let key: String
    public let interfaceHash: String
    public let inputsHash: String

    /// project, domain, task name, cache version, hash of the interface, canonical hash of the inputs minus
    /// the ignored ones. A change of code alone (same cache version) hits; bump the version to invalidate.
    public init(project: String, domain: String, task: CompiledTask, policy: CachePolicy, inputs: LiteralMap) {
        interfaceHash = CanonicalHash.of(
            JSON.object(["inputs": task.interface.inputs.json, "outputs": task.interface.outputs.json]))
        inputsHash = CanonicalHash.of(inputs.filter { !policy.ignoredInputs.contains($0.key) })
        key = CanonicalHash.of(
            JSON.object([
                "project": .string(project), "domain": .string(domain), "task": .string(task.name),
                "version": .string(policy.version),
                "interface": .string(interfaceHash), "inputs": .string(inputsHash),
            ]))
    }

    /// A hit is usable when its outputs still have the interface's types and every local blob they point to
    /// still exists (a hit whose data was deleted recomputes instead of failing downstream).
    static func usable(_ entry: CacheEntry, outputs types: TypeMap) -> Bool {
        guard entry.outputs.mismatches(against: types).isEmpty else { return false }
        return LocalBlobCheck.allExist(entry.outputs)
    }
}
