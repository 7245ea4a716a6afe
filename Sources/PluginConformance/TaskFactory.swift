import AloftWire
import PluginHost

/// Builds the task executions the checks hand the plugin: one execution per check run, one node per
/// sequence, so every task execution id is new and deterministic within the run.
struct TaskFactory: Sendable {
    let subject: ConformanceSubject
    /// The execution name of this run: unique, so a plugin that keeps jobs by id never finds an earlier run's.
    let execution: String
    let inputs: InputGenerator
    /// Where tasks may write outputs: `<outputs>/<node>/`.
    let outputDirectory: String

    func task(node: String, variant: Int = 0) -> TaskInvocation {
        let identity = ExecutionIdentity(
            project: "conformance", domain: "development", execution: execution, node: node, attempt: 0)
        let context = TaskContext(
            taskExecutionID: TaskExecutionID.make(identity), identity: identity, task: subject.template,
            inputs: inputs.inputs(for: subject, variant: variant), outputPrefix: "file://\(outputDirectory)/\(node)/")
        // Outputs are checked against the interface by the checks themselves, so the report can say so.
        return TaskInvocation(
            executionID: context.taskExecutionID, attempt: 0, context: context.encoded(),
            secrets: subject.template.secrets, outputTypes: nil)
    }
}
