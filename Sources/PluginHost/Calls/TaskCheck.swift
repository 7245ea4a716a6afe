public import AloftWire
import PluginABI

/// A problem a plugin found in a task's declaration ("aloft.task-check/1"): where in the task template
/// (object keys as strings, array indexes as integers) and what is wrong.
public struct TaskCheckProblem: Sendable, Equatable {
    public var path: [JSONPathStep]
    public var message: String

    public init(path: [JSONPathStep], message: String) {
        self.path = path
        self.message = message
    }
}

extension LoadedPlugin {
    public var checksTasks: Bool { extensions.taskCheck != nil }

    /// The plugin's problems with one task template (its JSON, as the task context will carry it); empty
    /// when the plugin has no check or finds nothing. A check that fails or overruns comes back as one
    /// problem at the template's root, so the spec does not compile on a check that was not done.
    ///
    /// Blocks the calling thread while the plugin's own thread runs the check: the compiler is synchronous,
    /// and a check is a short, pure call within the call budget, which never waits on the caller's thread.
    public func checkTask(template: [UInt8]) -> [TaskCheckProblem] {
        guard extensions.taskCheck != nil else { return [] }
        let extensions = self.extensions
        let instance = self.instance
        let pluginID = id
        let result: CallResult
        do {
            result = try pool.runBlocking(lane: nil, budget: options.callBudget) {
                template.withUnsafeBufferPointer { bytes in
                    var problems = aloft_buffer()
                    var error = newError()
                    let status = extensions.taskCheck!.pointee.check_task(
                        instance.value, aloft_bytes(data: bytes.baseAddress, len: bytes.count), &problems, &error)
                    return CallResult(status: status, error: error, buffers: [problems])
                }
            }
        } catch {
            return [
                TaskCheckProblem(
                    path: [],
                    message: "plugin \(pluginID) did not finish checking the task within \(error.budget.secondsValue) s"
                )
            ]
        }
        if result.status != ALOFT_OK {
            let why = services.redactor.redact(result.errorMessage)
            return [
                TaskCheckProblem(
                    path: [],
                    message: "plugin \(pluginID) could not check the task: \(why.isEmpty ? "(no message)" : why)")
            ]
        }
        let bytes = result.buffers[0]
        if bytes.isEmpty { return [] }
        guard let json = try? JSONParser.parse(bytes), let items = json.arrayValue else {
            return [
                TaskCheckProblem(
                    path: [],
                    message: "plugin \(pluginID) answered its task check with something that is not a JSON array")
            ]
        }
        return items.map { item in
            let path: [JSONPathStep] = (item["path"]?.arrayValue ?? []).compactMap {
                if let k = $0.stringValue { return .key(k) }
                if case .integer(let i) = $0 { return .index(Int(i)) }
                return nil
            }
            let message = item["message"]?.stringValue ?? "(the plugin gave no message)"
            return TaskCheckProblem(path: path, message: services.redactor.redact(message))
        }
    }
}
