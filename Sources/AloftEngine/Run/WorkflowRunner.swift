import AloftCompiler
import AloftWire
import FoundationEssentials
import PluginHost

/// Runs one workflow scope (the execution's workflow, or a sub-workflow under a node's path): starts every
/// node whose upstream nodes succeeded, skips the ones downstream of a failure, and resolves the outputs.
struct WorkflowRunner {
    let context: ExecutionContext
    let workflow: CompiledWorkflow
    let inputs: LiteralMap
    /// "" for the execution's workflow; "node/" for a sub-workflow called by `node`.
    let prefix: String

    func run() async -> Result<LiteralMap, ScopeFailure> {
        let inputs = workflow.defaults.merging(self.inputs) { _, given in given }
        var outputs: [String: LiteralMap] = [:]
        var finished: [String: NodePhase] = [:]
        var failures: [String] = []
        var skipped: [String] = []
        // Cache hits whose own records were not waited for (runDurably): waited for before the scope ends.
        var unwaited: [String] = []

        await withTaskGroup(of: (String, NodeRecord).self) { group in
            // Dependency counting: a finished node visits only its own downstream nodes, so a scope of N nodes
            // costs O(N + edges) in scheduling, not a scan of every node per finished node (O(N²)).
            // By index, not `enumerated()`: that copies every node (a dozen references each) of a scope of 10,000.
            let nodes = workflow.nodes
            var position: [String: Int] = [:]
            position.reserveCapacity(nodes.count)
            for i in nodes.indices { position[nodes[i].id] = i }
            finished.reserveCapacity(nodes.count)
            outputs.reserveCapacity(nodes.count)
            var downstream = [[Int]](repeating: [], count: nodes.count)
            var waiting = [Int](repeating: 0, count: nodes.count)
            for i in nodes.indices {
                let upstream = nodes[i].upstream
                for u in upstream.count > 1 ? Array(Set(upstream)) : upstream {
                    guard let p = position[u] else { continue }
                    downstream[p].append(i)
                    waiting[i] += 1
                }
            }
            var ready: [Int] = []
            var inFlight = 0
            func launch(_ i: Int) {
                let node = nodes[i]
                let resolver = BindingResolver(workflowInputs: inputs, nodeOutputs: outputs)
                inFlight += 1
                group.addTask { (node.id, await runDurably(node, resolver)) }
            }
            // Everything downstream of a node that did not succeed is skipped, transitively.
            func skipDownstream(of i: Int) {
                var stack = downstream[i]
                while let j = stack.popLast() {
                    let id = nodes[j].id
                    guard finished[id] == nil else { continue }
                    finished[id] = .skipped
                    skip(prefix + id)
                    skipped.append(prefix + id)
                    stack += downstream[j]
                }
            }
            func nodeEnded(_ id: String, _ record: NodeRecord) {
                guard let i = position[id] else {
                    finished[id] = record.state.phase
                    return
                }
                nodeEnded(at: i, record)
            }
            func nodeEnded(at i: Int, _ record: NodeRecord) {
                nodeEnded(at: i, record.state.phase, failure: context.failure(of: record), outputs: record.outputs)
            }
            // A chain's node whose success was handed to the store's writer (its record is the writer's alone).
            func nodeSucceeded(at i: Int, _ outputs: LiteralMap) {
                nodeEnded(at: i, .succeeded, failure: context.stopped.reason(prefix + nodes[i].id), outputs: outputs)
            }
            func nodeEnded(at i: Int, _ phase: NodePhase, failure: String?, outputs nodeOutputs: LiteralMap?) {
                let id = nodes[i].id
                finished[id] = phase
                if let failure {
                    failures.append("\(prefix)\(id): \(failure)")
                    skipDownstream(of: i)
                } else {
                    outputs[id] = nodeOutputs ?? [:]
                    for j in downstream[i] {
                        waiting[j] -= 1
                        if waiting[j] == 0 && finished[nodes[j].id] == nil { ready.append(j) }
                    }
                }
            }
            ready = nodes.indices.filter { waiting[$0] == 0 }
            while true {
                // The only node that can run now (a chain): run it in this task, not in a child task whose start
                // and end would each wake a thread. Nothing else could run beside it.
                if inFlight == 0, ready.count == 1 {
                    let i = ready.removeLast()
                    let resolver = BindingResolver(workflowInputs: inputs, nodeOutputs: outputs)
                    // A fresh synchronous task of an in-process plugin: it, and each node that is then the only
                    // one to run, on the plugin's thread as one job (SyncChainRun).
                    if let (plugin, runner, lineage) = chainLink(nodes[i], resolver, on: nil) {
                        // Its lineage rides in its first commit, its mark's.
                        context.recordLineage(lineage, at: runner.path)
                        let cursor = ChainCursor(
                            scope: self, plugin: plugin, nodes: nodes, position: position, downstream: downstream,
                            waiting: waiting, inputs: inputs, outputs: outputs)
                        let chain = await SyncChainRun(context: context, plugin: plugin).run(
                            (i, runner), successor: cursor.next)
                        for (j, end) in chain.ended {
                            switch end {
                            case .record(let record): nodeEnded(at: j, record)
                            case .succeeded(let outputs): nodeSucceeded(at: j, outputs)
                            }
                        }
                        if let p = chain.pending, finished[nodes[p].id] == nil, !ready.contains(p) { ready.append(p) }
                        // A chain's nodes became ready as the ones before them ended, and ended since.
                        ready.removeAll { finished[nodes[$0].id] != nil }
                        continue
                    }
                    let record = await runDurably(nodes[i], resolver)
                    if Self.isCacheHit(record) { unwaited.append(record.node) }
                    nodeEnded(at: i, record)
                    continue
                }
                for i in ready { launch(i) }
                ready = []
                guard let (id, record) = await group.next() else { break }
                inFlight -= 1
                if Self.isCacheHit(record) { unwaited.append(record.node) }
                nodeEnded(id, record)
            }
        }
        // A skip is already a failure of the scope: its write is waited for only to report a refused one.
        for path in skipped { _ = await context.durable(path) }
        for path in unwaited where !(await context.durable(path)) {
            failures.append("\(path): \(context.stopped.reason(path) ?? "its state could not be stored")")
        }
        if !failures.isEmpty { return .failure(ScopeFailure(message: failures.joined(separator: "; "))) }
        let resolver = BindingResolver(workflowInputs: inputs, nodeOutputs: outputs)
        do { return .success(try resolver.inputs(workflow.outputs, defaults: [:])) } catch {
            return .failure(ScopeFailure(message: "workflow \(workflow.name): \(error)"))
        }
    }

    private func skip(_ path: String) {
        var record = NodeRecord(
            execution: context.execution.id, node: path, state: NodeState(budget: RetryBudget(user: 0)))
        guard context.apply(.upstreamFailed, to: &record) != nil, context.store(record) else { return }
        context.events(.nodeFinished(path: path, phase: .skipped, cached: false))
    }

    /// Runs the node; its end is durable before anything outside the process sees it (downstream nodes, the
    /// scope's outputs). A store that refused it stops the node, which its scope then treats as failed. A cache
    /// hit is not waited for here: its outputs are durable already (the cache entry, which a resumed run finds
    /// again), so what runs after it runs on stored data; the scope waits for its record before it ends
    /// (issue 18: a warm cached chain committed and waited node by node).
    private func runDurably(_ node: CompiledNode, _ resolver: BindingResolver) async -> NodeRecord {
        let record = await runNode(node, resolver)
        if !Self.isCacheHit(record) { _ = await context.durable(record.node) }
        return record
    }

    /// A task node that ended by reusing a cache entry in this run.
    static func isCacheHit(_ record: NodeRecord) -> Bool {
        record.cachedFrom != nil && record.state.phase == .succeeded && record.state.cached
    }

    private func runNode(_ node: CompiledNode, _ resolver: BindingResolver) async -> NodeRecord {
        let path = prefix + node.id
        if let done = context.record(path), done.state.phase.isTerminal { return done }  // resumed: never re-run
        switch node.kind {
        case .call(let call):
            return await runCall(call, at: path, resolver)
        case .branch(let cases):
            for (i, c) in cases.enumerated() {
                let taken: Bool
                do { taken = try c.condition.map { try resolver.holds($0) } ?? true } catch {
                    return finish(
                        path,
                        .failure(
                            TaskError(
                                kind: .user, retryable: false, code: .condition, message: "\(error)",
                                cause: error)))
                }
                guard taken else { continue }
                switch c.body {
                case .fail(let message):
                    return finish(
                        path, .failure(TaskError(kind: .user, retryable: false, code: .branchFail, message: message)))
                case .call(let call):
                    let chosen = await runCall(call, at: "\(path)#\(i)", resolver)
                    guard let failure = context.failure(of: chosen) else {
                        return finish(path, .success(chosen.outputs ?? [:]))
                    }
                    // A stopped case's own error (if any) is not why it failed.
                    let error = context.stopped.reason(chosen.node) == nil ? chosen.state.lastError : nil
                    return finish(
                        path,
                        .failure(
                            error
                                ?? TaskError(
                                    kind: .user, retryable: false, code: .caseFailed, message: "case \(i): \(failure)"))
                    )
                }
            }
            return finish(
                path,
                .failure(
                    TaskError(
                        kind: .user, retryable: false, code: .noCase,
                        message: "no branch case held and there is no else")))
        case .map(let m):
            return await runMap(m, node: node, at: path, resolver)
        }
    }

    private func runCall(_ call: CompiledCall, at path: String, _ resolver: BindingResolver) async -> NodeRecord {
        recordLineage(call.inputs, at: path)
        switch call.target {
        case .task(let name):
            guard let task = context.plan.tasks[name] else {
                return finish(
                    path,
                    .failure(
                        TaskError(
                            kind: .system, retryable: false, code: .noTask, message: "task \(name) is not in the plan"))
                )
            }
            let inputs: LiteralMap
            do { inputs = try resolver.inputs(call.inputs, defaults: task.defaults) } catch {
                return finish(
                    path,
                    .failure(
                        TaskError(
                            kind: .system, retryable: false, code: .binding, message: "\(error)",
                            cause: error)))
            }
            return await TaskRunner(context: context, path: path, task: task, inputs: inputs).run()
        case .workflow(let name):
            guard let sub = context.plan.workflows[name] else {
                return finish(
                    path,
                    .failure(
                        TaskError(
                            kind: .system, retryable: false, code: .noWorkflow,
                            message: "workflow \(name) is not in the plan")))
            }
            let inputs: LiteralMap
            do { inputs = try resolver.inputs(call.inputs, defaults: [:]) } catch {
                return finish(
                    path,
                    .failure(
                        TaskError(
                            kind: .system, retryable: false, code: .binding, message: "\(error)",
                            cause: error)))
            }
            let result = await WorkflowRunner(context: context, workflow: sub, inputs: inputs, prefix: path + "/").run()
            if Task.isCancelled { return finishAborted(path) }
            return finish(
                path,
                result.mapError {
                    TaskError(kind: .user, retryable: false, code: .subworkflowFailed, message: $0.message, cause: $0)
                })
        }
    }

    private func runMap(
        _ m: CompiledMap, node: CompiledNode, at path: String, _ resolver: BindingResolver
    ) async -> NodeRecord {
        guard case .list(let items) = (try? resolver.value(m.over)) ?? .none else {
            return finish(
                path,
                .failure(
                    TaskError(
                        kind: .system, retryable: false, code: .binding, message: "map over a value that is not a list")
                ))
        }
        recordLineage([m.overInput: m.over], at: path)
        // `concurrency` item runners, each taking the next item when it finishes one: at most that many items
        // run at once, and a 100,000-item map makes that many tasks, not one per item.
        let window = max(1, min(m.concurrency ?? items.count, items.count))
        // Only what the map's own result needs is kept per item: not the items' whole records.
        struct ItemResult {
            var succeeded: Bool
            var aborted = false
            var outputs: LiteralMap?
            var error: String?
        }
        func itemResult(_ r: NodeRecord) -> ItemResult {
            let failure = context.failure(of: r)
            return ItemResult(
                succeeded: failure == nil, aborted: r.state.phase == .aborted,
                outputs: failure == nil ? r.outputs : nil,
                error: failure)
        }
        func itemCall(_ i: Int) -> (CompiledCall, BindingResolver) {
            let itemResolver = BindingResolver(
                workflowInputs: resolver.workflowInputs,
                nodeOutputs: resolver.nodeOutputs.merging(["@item": [m.overInput: items[i]]]) { a, _ in a })
            var itemCall = m.call
            itemCall.inputs[m.overInput] = .nodeOutput(node: "@item", output: m.overInput)
            return (itemCall, itemResolver)
        }
        // Over a synchronous task of an in-process plugin, a runner takes its items in batches, each one job on
        // the plugin's thread (SyncItemBatch); otherwise one at a time.
        let batches: (SyncItemBatch, CompiledTask)? = {
            guard case .task(let name) = m.call.target, let task = context.plan.tasks[name],
                let batch = SyncItemBatch.make(for: task, context)
            else { return nil }
            return (batch, task)
        }()
        let runners = batches.map { $0.0.runners(upTo: window) } ?? window
        let batchSize = batches == nil ? 1 : max(1, min(SyncItemBatch.maxSize, items.count / runners))
        // Items in a batch: each a TaskRunner with its inputs bound and lineage noted; an item whose inputs
        // cannot be bound runs alone (runCall reports it).
        func runBatch(_ range: Range<Int>, _ batch: SyncItemBatch, _ task: CompiledTask) async -> [(Int, ItemResult)] {
            var runners: [(Int, TaskRunner)] = []
            var done: [(Int, ItemResult)] = []
            for i in range {
                let (call, itemResolver) = itemCall(i)
                let path = "\(path)[\(i)]"
                guard let inputs = try? itemResolver.inputs(call.inputs, defaults: task.defaults) else {
                    done.append((i, itemResult(await runCall(call, at: path, itemResolver))))
                    continue
                }
                recordLineage(call.inputs, at: path)
                runners.append((i, TaskRunner(context: context, path: path, task: task, inputs: inputs)))
            }
            let records = await batch.run(runners.map(\.1))
            for ((i, _), r) in zip(runners, records) { done.append((i, itemResult(r))) }
            return done
        }
        let cursor = ItemCursor(count: items.count)
        let results: [Int: ItemResult] = await withTaskGroup(of: [(Int, ItemResult)].self) { group in
            for _ in 0..<runners {
                group.addTask {
                    var done: [(Int, ItemResult)] = []
                    while let range = cursor.next(upTo: batchSize) {
                        if let (batch, task) = batches {
                            done += await runBatch(range, batch, task)
                            continue
                        }
                        for i in range {
                            let (call, itemResolver) = itemCall(i)
                            done.append((i, itemResult(await runCall(call, at: "\(path)[\(i)]", itemResolver))))
                        }
                    }
                    return done
                }
            }
            var out: [Int: ItemResult] = [:]
            for await done in group { for (i, r) in done { out[i] = r } }
            return out
        }
        // An abort stops the items; the map was aborted, not failed.
        if Task.isCancelled || results.values.contains(where: \.aborted) { return finishAborted(path) }
        let succeeded = results.values.filter(\.succeeded).count
        let ratio = items.isEmpty ? 1 : Double(succeeded) / Double(items.count)
        guard ratio >= m.minSuccessRatio else {
            let first = results.keys.sorted().compactMap { results[$0]?.error }.first ?? "items failed"
            return finish(
                path,
                .failure(
                    TaskError(
                        kind: .user, retryable: false, code: .mapFailed,
                        message:
                            "\(items.count - succeeded) of \(items.count) items failed (minimum success ratio \(m.minSuccessRatio)); first: \(first)"
                    )))
        }
        var outputs: LiteralMap = [:]
        for name in node.outputs.keys {
            outputs[name] = .list(
                (0..<items.count).map { i in
                    guard let r = results[i], r.succeeded else { return .none }
                    return r.outputs?[name] ?? .none
                })
        }
        return finish(path, .success(outputs))
    }

    /// Which upstream outputs feed which inputs of the node at `path`, written with its next commit.
    func recordLineage(_ bindings: [String: Binding], at path: String) {
        context.recordLineage(lineage(bindings, at: path), at: path)
    }

    /// Which upstream outputs feed which inputs of the node at `path`.
    func lineage(_ bindings: [String: Binding], at path: String) -> [LineageEdge] {
        var edges: [LineageEdge] = []
        func walk(_ b: Binding, _ input: String) {
            switch b {
            case .nodeOutput(let node, let output) where node != "@item":
                edges.append(
                    LineageEdge(
                        execution: context.execution.id, node: path, input: input,
                        sourceExecution: context.execution.id,
                        sourceNode: prefix + node, sourceOutput: output))
            case .list(let items): items.forEach { walk($0, input) }
            case .map(let m): m.values.forEach { walk($0, input) }
            default: break
            }
        }
        for (input, b) in bindings { walk(b, input) }
        return edges
    }

    /// Records a node that is not a single task call (sub-workflow, map) as aborted: its calls were aborted.
    private func finishAborted(_ path: String) -> NodeRecord {
        conclude(path, .aborted)
    }

    /// Records a node that is not a single task call (sub-workflow, branch, map) as finished.
    private func finish(_ path: String, _ result: Result<LiteralMap, TaskError>) -> NodeRecord {
        switch result {
        case .success(let outputs):
            return conclude(path, .succeeded, outputs: outputs)
        case .failure(let error):
            return conclude(
                path,
                .failed(
                    TaskError(
                        kind: error.kind, retryable: false, code: error.code, message: error.message, cause: error.cause
                    )))
        }
    }

    /// Stores a node's end that took no plugin call of its own; a store that fails stops the node, as for tasks.
    private func conclude(_ path: String, _ conclusion: NodeState.Conclusion, outputs: LiteralMap? = nil) -> NodeRecord
    {
        var record =
            context.record(path)
            ?? NodeRecord(
                execution: context.execution.id, node: path, state: NodeState(budget: RetryBudget(user: 0, system: 0)))
        record.outputs = outputs
        guard context.apply(.concluded(conclusion), to: &record) != nil, context.store(record) else { return record }
        context.events(.nodeFinished(path: path, phase: record.state.phase, cached: false))
        return record
    }
}
