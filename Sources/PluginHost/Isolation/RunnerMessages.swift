public import AloftWire

/// The plugin calls a runner serves, as they travel in a call frame.
public enum RunnerCall: UInt8, Sendable, CustomStringConvertible {
    case submit = 1, poll, abort, finalize, taskLogs, checkTask
    /// ABI 1.1: one task of a synchronous type, to its end.
    case runSync

    public var description: String {
        switch self {
        case .submit: return "submit"
        case .poll: return "poll"
        case .abort: return "abort"
        case .finalize: return "finalize"
        case .taskLogs: return "task_logs"
        case .checkTask: return "check_task"
        case .runSync: return "run_sync"
        }
    }
}

/// What the host tells a runner. The first frame is always `setup`.
public enum HostToRunner: Sendable {
    case setup(RunnerSetup)
    /// `task` for task calls; `template` for check_task.
    case call(id: UInt64, call: RunnerCall, task: TaskInvocation?, template: [UInt8])
    /// The task was cancelled: is_cancelled answers 1 from now on.
    case cancel(taskExecutionID: String)
    /// The host cannot wait: is_cancelled answers 2 for cancelled tasks.
    case hurry
    /// The answer to a `secretRequest`: the value, or nil when the plugin may not have it.
    case secret(id: UInt64, value: [UInt8]?)

    public var encoded: [UInt8] {
        var w = FrameWriter()
        switch self {
        case .setup(let s):
            w.u8(1)
            w.data(JSONWriter.encode(s.json))
        case .call(let id, let call, let task, let template):
            w.u8(2)
            w.u64(id)
            w.u8(call.rawValue)
            w.bool(task != nil)
            if let task {
                w.string(task.executionID)
                w.u64(UInt64(clamping: task.attempt))
                w.data(task.context)
                w.data(task.state)
                w.u32(UInt32(task.secrets.count))
                for s in task.secrets { w.string(s) }
            }
            w.data(template)
        case .cancel(let id):
            w.u8(3)
            w.string(id)
        case .hurry:
            w.u8(4)
        case .secret(let id, let value):
            w.u8(5)
            w.u64(id)
            w.optionalData(value)
        }
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(FrameError) {
        var r = FrameReader(bytes)
        switch try r.u8() {
        case 1:
            let body = try r.data()
            guard let json = try? JSONParser.parse(body), let setup = RunnerSetup(json: json) else {
                throw FrameError(description: "a setup frame that is not a runner setup")
            }
            self = .setup(setup)
        case 2:
            let id = try r.u64()
            guard let call = RunnerCall(rawValue: try r.u8()) else { throw FrameError(description: "unknown call") }
            var task: TaskInvocation?
            if try r.bool() {
                let executionID = try r.string()
                let attempt = Int(clamping: try r.u64())
                let context = try r.data()
                let state = try r.data()
                let count = try r.u32()
                guard count <= 10_000 else { throw FrameError(description: "\(count) secrets in one call") }
                var secrets: [String] = []
                for _ in 0..<count { secrets.append(try r.string()) }
                task = TaskInvocation(
                    executionID: executionID, attempt: attempt, context: context, state: state, secrets: secrets)
            }
            self = .call(id: id, call: call, task: task, template: try r.data())
        case 3: self = .cancel(taskExecutionID: try r.string())
        case 4: self = .hurry
        case 5: self = .secret(id: try r.u64(), value: try r.optionalData())
        case let kind: throw FrameError(description: "unknown host frame kind \(kind)")
        }
        guard r.isAtEnd else { throw FrameError(description: "trailing bytes after a host frame") }
    }
}

/// A runner's answer to one call.
public enum RunnerReply: Sendable {
    case failed(TaskError)
    case state([UInt8])
    case outcome(PollOutcome)
    case done
    case links([(name: String, uri: String)])
    case problems([TaskCheckProblem])
    /// A run_sync call's outputs.
    case outputs(LiteralMap)
}

/// What a runner tells the host.
public enum RunnerToHost: Sendable {
    /// The plugin is loaded and initialized.
    case ready(descriptor: PluginDescriptor, checksTasks: Bool)
    /// The plugin could not be loaded or initialized; the runner exits after this.
    case refused(reason: String)
    case reply(id: UInt64, RunnerReply)
    case log(level: UInt32, task: String?, message: String)
    case secretRequest(id: UInt64, name: String)
    case requestPoll(taskExecutionID: String)

    public var encoded: [UInt8] {
        var w = FrameWriter()
        switch self {
        case .ready(let descriptor, let checks):
            w.u8(1)
            w.data(JSONWriter.encode(descriptor.json))
            w.bool(checks)
        case .refused(let reason):
            w.u8(2)
            w.string(reason)
        case .reply(let id, let reply):
            w.u8(3)
            w.u64(id)
            Self.write(reply, &w)
        case .log(let level, let task, let message):
            w.u8(4)
            w.u32(level)
            w.optionalData(task.map { Array($0.utf8) })
            w.string(message)
        case .secretRequest(let id, let name):
            w.u8(5)
            w.u64(id)
            w.string(name)
        case .requestPoll(let id):
            w.u8(6)
            w.string(id)
        }
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(FrameError) {
        var r = FrameReader(bytes)
        switch try r.u8() {
        case 1:
            let body = try r.data()
            guard let json = try? JSONParser.parse(body), let descriptor = PluginDescriptor(json: json) else {
                throw FrameError(description: "a ready frame without a descriptor")
            }
            self = .ready(descriptor: descriptor, checksTasks: try r.bool())
        case 2: self = .refused(reason: try r.string())
        case 3: self = .reply(id: try r.u64(), try Self.readReply(&r))
        case 4:
            let level = try r.u32()
            let task = try r.optionalData().map { String(decoding: $0, as: UTF8.self) }
            self = .log(level: level, task: task, message: try r.string())
        case 5: self = .secretRequest(id: try r.u64(), name: try r.string())
        case 6: self = .requestPoll(taskExecutionID: try r.string())
        case let kind: throw FrameError(description: "unknown runner frame kind \(kind)")
        }
        guard r.isAtEnd else { throw FrameError(description: "trailing bytes after a runner frame") }
    }

    private static func write(_ error: TaskError, _ w: inout FrameWriter) {
        w.bool(error.kind == .user)
        w.bool(error.retryable)
        w.string(error.code.rawValue)
        w.string(error.message)
    }

    private static func readError(_ r: inout FrameReader) throws(FrameError) -> TaskError {
        let user = try r.bool()
        let retryable = try r.bool()
        return TaskError(
            kind: user ? .user : .system, retryable: retryable, code: TaskError.Code(rawValue: try r.string()),
            message: try r.string())
    }

    private static func write(_ reply: RunnerReply, _ w: inout FrameWriter) {
        switch reply {
        case .failed(let error):
            w.u8(1)
            write(error, &w)
        case .state(let state):
            w.u8(2)
            w.data(state)
        case .outcome(let o):
            w.u8(3)
            w.u32(o.phase.rawValue)
            w.u64(o.pollAfter.map { UInt64(clamping: $0.milliseconds) } ?? 0)
            w.optionalData(o.newState)
            w.optionalData(o.outputs?.canonicalBytes)
            w.optionalData(o.statusMessage.map { Array($0.utf8) })
            w.bool(o.error != nil)
            if let e = o.error { write(e, &w) }
        case .done:
            w.u8(4)
        case .links(let links):
            w.u8(5)
            w.u32(UInt32(links.count))
            for l in links {
                w.string(l.name)
                w.string(l.uri)
            }
        case .problems(let problems):
            w.u8(6)
            w.u32(UInt32(problems.count))
            for p in problems {
                let path = JSON.array(
                    p.path.map {
                        switch $0 {
                        case .key(let k): return .string(k)
                        case .index(let i): return .integer(Int64(i))
                        }
                    })
                w.data(JSONWriter.encode(path))
                w.string(p.message)
            }
        case .outputs(let outputs):
            w.u8(7)
            w.data(outputs.canonicalBytes)
        }
    }

    private static func readReply(_ r: inout FrameReader) throws(FrameError) -> RunnerReply {
        switch try r.u8() {
        case 1: return .failed(try readError(&r))
        case 2: return .state(try r.data())
        case 3:
            guard let phase = TaskPhase(rawValue: try r.u32()) else { throw FrameError(description: "unknown phase") }
            let ms = try r.u64()
            var outcome = PollOutcome(
                phase: phase, pollAfter: ms > 0 ? .milliseconds(Int64(clamping: ms)) : nil,
                newState: try r.optionalData())
            if let bytes = try r.optionalData() {
                guard let outputs = try? LiteralMap(bytes: bytes, path: "outputs") else {
                    throw FrameError(description: "outputs that are not a literal map")
                }
                outcome.outputs = outputs
            }
            outcome.statusMessage = try r.optionalData().map { String(decoding: $0, as: UTF8.self) }
            if try r.bool() { outcome.error = try readError(&r) }
            return .outcome(outcome)
        case 4: return .done
        case 5:
            let count = try r.u32()
            guard count <= 10_000 else { throw FrameError(description: "\(count) log links") }
            var links: [(name: String, uri: String)] = []
            for _ in 0..<count { links.append((try r.string(), try r.string())) }
            return .links(links)
        case 6:
            let count = try r.u32()
            guard count <= 100_000 else { throw FrameError(description: "\(count) task problems") }
            var problems: [TaskCheckProblem] = []
            for _ in 0..<count {
                let steps = (try? JSONParser.parse(try r.data()))?.arrayValue ?? []
                let path: [JSONPathStep] = steps.compactMap {
                    if let k = $0.stringValue { return .key(k) }
                    if let i = $0.integerValue { return .index(Int(i)) }
                    return nil
                }
                problems.append(TaskCheckProblem(path: path, message: try r.string()))
            }
            return .problems(problems)
        case 7:
            guard let outputs = try? LiteralMap(bytes: try r.data(), path: "outputs") else {
                throw FrameError(description: "outputs that are not a literal map")
            }
            return .outputs(outputs)
        case let kind: throw FrameError(description: "unknown reply kind \(kind)")
        }
    }
}
