import AloftWire
import PluginHost
import Synchronization

/// The lifecycle sequences on one task type, each on a fresh plugin instance: a whole task, its outputs
/// against the interface, submit twice, re-attach from a fresh instance, abort before and after completion,
/// finalize twice. (Many tasks at once: `ConcurrencyCheck`.)
struct LifecycleChecks: Sendable {
    let context: CheckContext

    static let names = (
        baseline: "a task runs from submit to a terminal phase",
        outputs: "outputs match the interface",
        submitTwice: "submit twice with one task execution id",
        reattach: "re-attach: poll a stored state from a fresh plugin instance",
        abortBefore: "abort before completion, twice",
        abortAfter: "abort after completion",
        finalizeTwice: "finalize twice"
    )

    /// Every check's result, in order, and the baseline's end (nil when the task never got there).
    func run() async -> (checks: [CheckResult], baseline: TaskCalls.Terminal?) {
        let names = Self.names
        let (baselineCheck, baseline) = await runBaseline()
        var checks = [baselineCheck, outputsCheck(baselineCheck, baseline)]
        guard let baseline else {
            let why = "not run: a task does not run to a terminal phase (see \"\(names.baseline)\")"
            checks += [
                context.skipped(names.submitTwice, rule: .submitIdempotent, because: why),
                context.skipped(names.reattach, rule: .reattach, because: why),
                context.skipped(names.abortBefore, rule: .abortIdempotent, because: why),
                context.skipped(names.abortAfter, rule: .abortIdempotent, because: why),
                context.skipped(names.finalizeTwice, rule: .finalizeIdempotent, because: why),
            ]
            return (checks, nil)
        }
        checks.append(await submitTwice(baseline))
        checks.append(await reattach(baseline))
        checks.append(await abortBeforeCompletion())
        checks.append(await abortAfterCompletion())
        checks.append(await finalizeTwice())
        return (checks, baseline)
    }

    /// submit, poll to a terminal phase, finalize.
    private func runBaseline() async -> (CheckResult, TaskCalls.Terminal?) {
        let task = context.factory.task(node: "baseline")
        let box = TerminalBox()
        let check = await context.perform(Self.names.baseline, rule: .lifecycle) { calls throws(CheckFailure) in
            let terminal = try await calls.run(task, rule: .lifecycle)
            box.value = terminal
            let detail = "\(terminal.summary), after \(terminal.polls) poll\(terminal.polls == 1 ? "" : "s")"
            if terminal.phase == .failed {
                throw CheckFailure(
                    rule: .lifecycle,
                    detail: detail + "; its outputs cannot be checked "
                        + "(give a task that succeeds with --spec)", isWarning: true)
            }
            return detail
        }
        return (check, box.value)
    }

    private func outputsCheck(_ baselineCheck: CheckResult, _ baseline: TaskCalls.Terminal?) -> CheckResult {
        let name = Self.names.outputs
        if baselineCheck.status == .fail, baselineCheck.rule == .outputsMatch {
            return context.result(
                name, rule: .outputsMatch, .failure(CheckFailure(rule: .outputsMatch, detail: baselineCheck.detail)))
        }
        guard let baseline else {
            return context.skipped(name, rule: .outputsMatch, because: "not run: the task did not finish")
        }
        guard baseline.phase == .succeeded else {
            return context.skipped(
                name, rule: .outputsMatch, because: "not run: the task \(baseline.phase), it did not succeed")
        }
        let declared = context.factory.subject.template.interface.outputs
        let outputs = baseline.outputs ?? [:]
        let problems = outputs.mismatches(against: declared)
        let shown = JSONWriter.string(outputs.json)
        guard problems.isEmpty else {
            return context.result(
                name, rule: .outputsMatch,
                .failure(
                    CheckFailure(
                        rule: .outputsMatch,
                        detail: "outputs \(shown) do not match the interface \(JSONWriter.string(declared.json)): "
                            + problems.joined(separator: "; "))))
        }
        return context.result(
            name, rule: .outputsMatch, .success("outputs \(shown) match \(JSONWriter.string(declared.json))"))
    }

    /// Two submits of one task execution id, each state polled to its end: one job, so the same result.
    private func submitTwice(_ baseline: TaskCalls.Terminal) async -> CheckResult {
        let task = context.factory.task(node: "submit-twice")
        return await context.perform(Self.names.submitTwice, rule: .submitIdempotent) { calls throws(CheckFailure) in
            var first = task, second = task
            first.state = try await calls.submit(task, rule: .submitIdempotent, label: "the first submit")
            second.state = try await calls.submit(
                task, rule: .submitIdempotent, label: "the second submit (same task execution id)")
            let a = try await calls.pollUntilTerminal(&first, rule: .submitIdempotent)
            let b = try await calls.pollUntilTerminal(&second, rule: .submitIdempotent)
            try await calls.finalize(second, rule: .lifecycle)
            guard Self.sameResult(a, b) else {
                throw CheckFailure(
                    rule: .submitIdempotent,
                    detail: "the two submits' states ended differently: the first "
                        + "\(a.summary), the second \(b.summary); the second submit started a second job")
            }
            return "both submits returned a state; both \(a.summary)"
        }
    }

    /// The task submitted by one instance, which then goes away; a fresh instance polls the stored state to
    /// the end and finalizes it.
    private func reattach(_ baseline: TaskCalls.Terminal) async -> CheckResult {
        var task = context.factory.task(node: "reattach")
        let outcome: Result<String, CheckFailure>
        do throws(CheckFailure) {
            let submitter = try await context.instance()
            do throws(CheckFailure) {
                task.state = try await context.calls(submitter).submit(task, rule: .lifecycle)
            } catch {
                context.launcher.release(submitter)
                throw error
            }
            // The host that submitted goes away; only the stored state and the context remain.
            context.launcher.release(submitter)
            let fresh = try await context.instance()
            defer { context.launcher.release(fresh) }
            let calls = context.calls(fresh)
            let end = try await calls.pollUntilTerminal(&task, rule: .reattach)
            try await calls.finalize(task, rule: .reattach)
            if end.phase != baseline.phase {
                throw CheckFailure(
                    rule: .reattach,
                    detail: "polled from a fresh instance the task \(end.summary), "
                        + "where a task polled by the instance that submitted it \(baseline.summary)")
            }
            outcome = .success(
                "a fresh instance polled the stored state (\(task.state.count) bytes) to the end: \(end.summary)")
        } catch {
            outcome = .failure(error)
        }
        return context.result(Self.names.reattach, rule: .reattach, outcome)
    }

    private func abortBeforeCompletion() async -> CheckResult {
        let task = context.factory.task(node: "abort-early")
        return await context.perform(Self.names.abortBefore, rule: .abortIdempotent) { calls throws(CheckFailure) in
            var task = task
            task.state = try await calls.submit(task, rule: .lifecycle)
            try await calls.abort(task, rule: .abortIdempotent, label: "abort right after submit")
            try await calls.abort(task, rule: .abortIdempotent, label: "a second abort")
            let end = try await calls.pollUntilTerminal(&task, rule: .abortIdempotent)
            try await calls.finalize(task, rule: .lifecycle)
            return "abort returned ALOFT_OK twice; poll then reported \(end.phase)"
        }
    }

    private func abortAfterCompletion() async -> CheckResult {
        let task = context.factory.task(node: "abort-late")
        return await context.perform(Self.names.abortAfter, rule: .abortIdempotent) { calls throws(CheckFailure) in
            var task = task
            task.state = try await calls.submit(task, rule: .lifecycle)
            let end = try await calls.pollUntilTerminal(&task, rule: .lifecycle)
            try await calls.abort(task, rule: .abortIdempotent, label: "abort after the task \(end.phase)")
            try await calls.finalize(task, rule: .lifecycle)
            return "the task \(end.phase); abort then returned ALOFT_OK"
        }
    }

    /// A host that crashed between finalize and recording it calls finalize again.
    private func finalizeTwice() async -> CheckResult {
        let task = context.factory.task(node: "finalize-twice")
        return await context.perform(Self.names.finalizeTwice, rule: .finalizeIdempotent) {
            calls throws(CheckFailure) in
            var task = task
            task.state = try await calls.submit(task, rule: .lifecycle)
            _ = try await calls.pollUntilTerminal(&task, rule: .lifecycle)
            try await calls.finalize(task, rule: .finalizeIdempotent, label: "the first finalize")
            do throws(CheckFailure) {
                try await calls.finalize(task, rule: .finalizeIdempotent, label: "the second finalize")
            } catch {
                // An error is worth a warning; a crash or a hang is a failure.
                var failure = error
                failure.isWarning = failure.rule == .finalizeIdempotent
                throw failure
            }
            return "the second finalize returned ALOFT_OK too"
        }
    }

    /// Same phase, same outputs, same error code.
    static func sameResult(_ a: TaskCalls.Terminal, _ b: TaskCalls.Terminal) -> Bool {
        a.phase == b.phase && a.outputs == b.outputs && a.error?.code == b.error?.code
    }
}

/// Carries a value out of a check's body.
final class TerminalBox: Sendable {
    private let stored = Mutex<TaskCalls.Terminal?>(nil)
    var value: TaskCalls.Terminal? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
