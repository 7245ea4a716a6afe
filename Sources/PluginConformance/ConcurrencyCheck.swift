import AloftWire
import PluginHost

/// Many tasks at once on one instance, on `options.threads` threads: all submitted together, polled
/// together, finalized together. Every call must succeed and every task end as a task alone does. When
/// the plugin's outputs depend on the inputs only (two executions with the same inputs gave the same
/// outputs), each task's outputs must also be those its inputs give alone: tasks alternate between two
/// sets of inputs, so a plugin that mixes up tasks' state is seen.
struct ConcurrencyCheck: Sendable {
    let context: CheckContext

    var name: String { "\(context.options.concurrentTasks) tasks at once" }

    func run(baseline: TaskCalls.Terminal?) async -> CheckResult {
        guard let baseline else {
            return context.skipped(
                name, rule: .concurrentTasks, because: "not run: a task does not run to a terminal phase")
        }
        let count = context.options.concurrentTasks
        let factory = context.factory
        return await context.perform(name, rule: .concurrentTasks) { calls throws(CheckFailure) in
            // What each set of inputs gives alone, and whether outputs depend on anything but the inputs (the
            // same inputs in another execution, by this instance and by the baseline's).
            let alone = [
                try await calls.run(factory.task(node: "alone-0", variant: 0), rule: .lifecycle),
                try await calls.run(factory.task(node: "alone-1", variant: 1), rule: .lifecycle),
            ]
            let again = try await calls.run(factory.task(node: "alone-0-again", variant: 0), rule: .lifecycle)
            let deterministic =
                LifecycleChecks.sameResult(alone[0], again) && LifecycleChecks.sameResult(alone[0], baseline)

            let tasks = (0..<count).map { factory.task(node: "concurrent-\($0)", variant: $0 % 2) }
            let states = try await Self.concurrently(tasks) { task throws(CheckFailure) in
                try await calls.submit(task, rule: .concurrentTasks)
            }
            let submitted = zip(tasks, states).map { task, state in
                var t = task
                t.state = state
                return t
            }
            let ends = try await Self.concurrently(submitted) { task throws(CheckFailure) in
                var t = task
                let end = try await calls.pollUntilTerminal(&t, rule: .concurrentTasks)
                return (t, end)
            }
            _ = try await Self.concurrently(ends.map(\.0)) { task throws(CheckFailure) in
                try await calls.finalize(task, rule: .concurrentTasks)
            }

            for (i, (task, end)) in ends.enumerated() {
                let expected = alone[i % 2]
                let node = "concurrent-\(i)"
                if end.phase != expected.phase {
                    throw CheckFailure(
                        rule: .concurrentTasks,
                        detail: "task \(node) (\(task.executionID)) \(end.summary); "
                            + "run alone, the same task \(expected.summary)")
                }
                if deterministic, !LifecycleChecks.sameResult(end, expected) {
                    throw CheckFailure(
                        rule: .concurrentTasks,
                        detail: "task \(node) \(end.summary); run alone, the same inputs "
                            + "\(expected.summary): tasks running at the same time share state unsafely")
                }
            }
            let compared =
                deterministic
                ? ", each with the outputs its inputs give alone"
                : " (outputs differ between executions of the same inputs, so they were not compared)"
            return "\(count) tasks submitted, polled and finalized at once on \(context.options.threads) threads all "
                + "\(alone[0].phase)\(compared)"
        }
    }

    /// Runs `body` for every item at once; results in the items' order. The first failure cancels the
    /// rest (a call still waiting is abandoned at once) and is thrown.
    static func concurrently<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Item) async throws(CheckFailure) -> Output
    ) async throws(CheckFailure) -> [Output] {
        let (results, first) = await withTaskGroup(of: (Int, Result<Output, CheckFailure>).self) { group in
            for (i, item) in items.enumerated() {
                group.addTask {
                    do throws(CheckFailure) { return (i, .success(try await body(item))) } catch {
                        return (i, .failure(error))
                    }
                }
            }
            var out = [Result<Output, CheckFailure>?](repeating: nil, count: items.count)
            var first: CheckFailure?
            for await (i, result) in group {
                out[i] = result
                if case .failure(let failure) = result, first == nil {
                    first = failure
                    group.cancelAll()
                }
            }
            return (out, first)
        }
        if let first { throw first }
        return results.map { r in
            guard case .success(let value)? = r else { preconditionFailure("every task of the group returned") }
            return value
        }
    }
}
