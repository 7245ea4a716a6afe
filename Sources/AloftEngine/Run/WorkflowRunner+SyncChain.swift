import AloftCompiler
import AloftWire
import PluginHost
import Synchronization

extension WorkflowRunner {
    /// The runner of `node` when it can be a link of a chain on `plugin`'s thread (SyncChainRun): a task call
    /// whose synchronous type that in-process plugin serves, with no cache or quota, fresh (a resumed node, or
    /// one the journal says a host died in the call of, takes the one-by-one path), its inputs bound and small
    /// enough for the row; with the lineage it is to write in its first commit. `plugin` nil: any such
    /// plugin (the chain's first node). `serving`: the plugin that can run a task as a link
    /// (TaskRunner.inlineSyncPlugin, which a chain asks once per task); `sized`: the inputs' size is checked
    /// here (a chain checks its next links' by their call's context).
    func chainLink(
        _ node: CompiledNode, _ resolver: BindingResolver, on plugin: LoadedPlugin?, sized: Bool = true,
        serving: (String, CompiledTask) -> LoadedPlugin? = { _, _ in nil }
    ) -> (LoadedPlugin, TaskRunner, [LineageEdge])? {
        guard case .call(let call) = node.kind, case .task(let name) = call.target,
            let task = context.plan.tasks[name],
            let found = plugin == nil ? TaskRunner.inlineSyncPlugin(for: task, context) : serving(name, task),
            plugin == nil || found === plugin
        else { return nil }
        let path = prefix + node.id
        guard context.record(path) == nil, context.diedInCall(path) == nil,
            let inputs = try? resolver.inputs(call.inputs, defaults: task.defaults),
            !sized || inputs.canonicalBytes.count <= context.options.inlineValueLimit
        else { return nil }
        return (
            found, TaskRunner(context: context, path: path, task: task, inputs: inputs), lineage(call.inputs, at: path)
        )
    }
}

/// What a chain on the plugin's thread needs of its scope to name the node after each link: the scope's
/// dependency counts and outputs as they stood when the chain began (read only), and what the chain's own
/// nodes changed since. The scope takes the chain's ends afterwards through its own bookkeeping; this is only
/// the chain's look ahead.
final class ChainCursor: Sendable {
    private let scope: WorkflowRunner
    private let plugin: LoadedPlugin
    private let nodes: [CompiledNode]
    private let downstream: [[Int]]
    private let waiting: [Int]
    private let position: [String: Int]
    private let inputs: LiteralMap
    private let outputs: [String: LiteralMap]
    /// By node index (a chain of 10,000 grew two dictionaries by a node each): upstream ends counted, and the
    /// outputs of the nodes this chain ran.
    private let own: Mutex<(ended: [Int], outputs: [LiteralMap?])>
    /// Whether each task (by its name in the plan) can be a link on this chain's plugin.
    private let links = Mutex<[String: Bool]>([:])

    init(
        scope: WorkflowRunner, plugin: LoadedPlugin, nodes: [CompiledNode], position: [String: Int],
        downstream: [[Int]], waiting: [Int], inputs: LiteralMap, outputs: [String: LiteralMap]
    ) {
        self.scope = scope
        self.plugin = plugin
        self.nodes = nodes
        self.position = position
        self.downstream = downstream
        self.waiting = waiting
        self.inputs = inputs
        self.outputs = outputs
        own = Mutex(([Int](repeating: 0, count: nodes.count), [LiteralMap?](repeating: nil, count: nodes.count)))
    }

    /// After node `i` succeeded with `outputs`: the node to run next on the same thread, when it is the only
    /// one its end makes ready (nothing else runs beside a chain) and it can be a link.
    func next(after i: Int, _ outputs: LiteralMap) -> SyncChainRun.Successor? {
        let (ready, upstream) = own.withLock { s -> ([Int], [String: LiteralMap]) in
            s.outputs[i] = outputs
            var ready: [Int] = []
            for j in downstream[i] {
                s.ended[j] += 1
                if s.ended[j] == waiting[j] { ready.append(j) }
            }
            guard ready.count == 1 else { return (ready, [:]) }
            var upstream: [String: LiteralMap] = [:]
            for u in nodes[ready[0]].upstream {
                upstream[u] = position[u].flatMap { s.outputs[$0] } ?? self.outputs[u]
            }
            return (ready, upstream)
        }
        guard ready.count == 1, let j = ready.first else { return nil }
        let resolver = BindingResolver(workflowInputs: inputs, nodeOutputs: upstream)
        let chained = scope.chainLink(nodes[j], resolver, on: plugin, sized: false) { name, task in
            if let known = self.links.withLock({ $0[name] }) { return known ? self.plugin : nil }
            let found = TaskRunner.inlineSyncPlugin(for: task, self.scope.context)
            self.links.withLock { $0[name] = found === self.plugin }
            return found
        }
        guard let (_, runner, lineage) = chained else { return nil }
        return (j, runner, lineage)
    }
}
