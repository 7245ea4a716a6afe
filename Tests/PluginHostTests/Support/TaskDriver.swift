import AloftWire
import Foundation

@testable import PluginHost

/// Builds echo task invocations.
enum EchoTask {
    static func make(
        inputs: LiteralMap, outputs: TypeMap? = nil, config: [String: JSON] = [:], node: String = "n",
        execution: String = "ex", attempt: Int = 0, type: String = "echo", secrets: [String] = []
    ) -> TaskInvocation {
        let outputTypes = outputs ?? inputs.mapValues { literalType(of: $0) }
        let identity = ExecutionIdentity(
            project: "p", domain: "development", execution: execution, node: node, attempt: attempt)
        let context = TaskContext(
            taskExecutionID: TaskExecutionID.make(identity), identity: identity,
            task: TaskTemplate(
                name: "echo-task", version: "1", type: type,
                interface: TaskInterface(inputs: inputs.mapValues { literalType(of: $0) }, outputs: outputTypes),
                config: .object(config), secrets: secrets),
            inputs: inputs, outputPrefix: "file:///tmp/aloft-test/")
        return TaskInvocation(context: context)
    }

    static func literalType(of l: Literal) -> LiteralType {
        switch l {
        case .integer: return .integer
        case .float: return .float
        case .string: return .string
        case .boolean: return .boolean
        case .list(let items): return .list(items.first.map(literalType) ?? .none)
        default: return .structure
        }
    }
}

/// Drives one task the way the engine will: submit, persist the state, poll until terminal honouring the
/// plugin's hint, finalize exactly once.
enum TaskDriver {
    struct Failed: Error { let error: TaskError }

    static func runToCompletion(
        _ plugin: any TaskPlugin, _ task: TaskInvocation, maxPolls: Int = 10_000
    ) async throws -> LiteralMap {
        var task = task
        task.state = try await plugin.submit(task)
        let result = await Result(catching: { try await pollUntilDone(plugin, &task, maxPolls: maxPolls) })
        try await plugin.finalize(task)
        return try result.get()
    }

    static func pollUntilDone(
        _ plugin: any TaskPlugin, _ task: inout TaskInvocation, maxPolls: Int
    ) async throws -> LiteralMap {
        for _ in 0..<maxPolls {
            let outcome = try await plugin.poll(task)
            if let s = outcome.newState { task.state = s }
            switch outcome.phase {
            case .succeeded: return outcome.outputs ?? [:]
            case .failed: throw Failed(error: outcome.error!)
            case .aborted:
                throw Failed(
                    error: TaskError(kind: .system, retryable: false, code: .plugin("Aborted"), message: "aborted"))
            default: try await Task.sleep(for: min(outcome.pollAfter ?? .milliseconds(5), .milliseconds(200)))
            }
        }
        throw Failed(
            error: TaskError(kind: .system, retryable: false, code: .plugin("TooManyPolls"), message: "never finished"))
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
