import AloftSystem
import AloftWire
import FoundationEssentials
import PluginABI

extension LoadedPlugin {
    /// A runner's way to call its plugin: on the plugin's threads, in the task's lane, with no budget (the
    /// host that sent the call keeps that) and no hop through Swift's task pool: `reply` is called on the
    /// plugin thread that made the call, as soon as the result is copied out.
    func serveDirect(
        _ call: RunnerCall, task: TaskInvocation?, template: [UInt8], reply: @escaping @Sendable (RunnerReply) -> Void
    ) {
        guard let task else {
            // check_task: rare and short; it blocks a thread of its own while a plugin thread runs it.
            HostThread.start(name: "aloft-check") { reply(.problems(self.checkTask(template: template))) }
            return
        }
        func answer(
            _ body: @escaping LoadedPlugin.CallBody,
            _ interpret: @escaping @Sendable (CallResult) throws(TaskError) -> RunnerReply
        ) {
            let run = bound(task, body)
            pool.enqueue(lane: task.executionID) {
                do throws(TaskError) { reply(try interpret(run())) } catch { reply(.failed(error)) }
            }
        }
        let (id, redactor) = (self.id, services.redactor)
        @Sendable func done(_ name: String) -> @Sendable (CallResult) throws(TaskError) -> RunnerReply {
            { result throws(TaskError) in
                if result.status != ALOFT_OK { throw result.taskError(plugin: id, call: name, redactor: redactor) }
                return .done
            }
        }
        switch call {
        case .submit: answer(CallBodies.submit) { result throws(TaskError) in .state(try self.submitted(result)) }
        case .poll:
            answer(CallBodies.poll) { result throws(TaskError) in .outcome(try self.outcome(of: result, task: task)) }
        case .abort:
            services.signals.cancel(task.executionID)
            answer(CallBodies.abort, done("abort"))
        case .finalize:
            guard raw.table.pointee.finalize != nil else {
                services.signals.forget(task.executionID)
                reply(.done)
                return
            }
            let signals = services.signals
            answer(CallBodies.finalize) { result throws(TaskError) in
                signals.forget(task.executionID)
                return try done("finalize")(result)
            }
        case .runSync:
            let body: LoadedPlugin.CallBody
            do throws(TaskError) { body = try syncBody(task) } catch {
                reply(.failed(error))
                return
            }
            let signals = services.signals
            answer(body) { result throws(TaskError) in
                signals.forget(task.executionID)
                return .outputs(try self.syncOutputs(result, task: task))
            }
        case .taskLogs:
            guard extensions.taskLogs != nil else {
                reply(.links([]))
                return
            }
            answer(CallBodies.taskLogs(extensions)) { result throws(TaskError) in .links(try self.links(result)) }
        case .checkTask:
            reply(.problems([]))
        }
    }
}
