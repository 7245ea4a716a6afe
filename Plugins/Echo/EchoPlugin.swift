public import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// Aloft's built-in echo plugin (after Flyte's testing/echo plugin): each declared output is the input of
/// the same name. For tests, demos and benchmarks of the platform itself; it also shows how a Swift plugin
/// is written with the kit.
///
/// Task config (all optional):
///   delay_ms            finish this long after submit (the state holds the deadline, so a restarted host
///                       re-attaches and finishes at the same time)
///   fail                "user" or "system": fail instead of echoing
///   fail_until_attempt  fail only while the attempt number is below this (to exercise retries)
///   only_when           {input: integer, ...}: the delay and failure above apply only to a task whose named
///                       inputs hold these integers (one item of a map, say)
///
/// Plugin config (optional, as the C example's): `fail_init: "message"` makes init fail with that message.
///
/// "echo-sync" is the same echo in the synchronous tier (ABI 1.1): one run_sync call per attempt, no resource
/// state; `delay_ms` there sleeps inside the call (to exercise the call budget), `fail` works as above.
public final class EchoPlugin: Plugin {
    public static let info = PluginInfo(
        id: "aloft.echo", version: "1.0.0",
        description: "Outputs are the inputs of the same name; optional delay and injected failures",
        taskTypes: ["echo", "noop", "echo-sync"], syncTaskTypes: ["echo-sync"], checksTasks: false)

    private let host: HostServices

    public init(config: JSON, host: HostServices) throws(PluginError) {
        guard config.objectValue != nil else { throw .user("echo plugin config must be an object") }
        if let message = config["fail_init"]?.stringValue { throw .user(message, code: "InitFailedOnPurpose") }
        self.host = host
    }

    public func submit(_ task: TaskCall) throws(PluginError) -> [UInt8] {
        let context = try task.context()
        let delay = context.task.config["delay_ms"]?.integerValue ?? 0
        guard delay >= 0 else { throw .user("task config delay_ms must be >= 0, got \(delay)", code: "BadConfig") }
        return Array(String(nowMilliseconds() + (Self.injects(context) ? delay : 0)).utf8)
    }

    public func poll(_ task: TaskCall) throws(PluginError) -> PollResult {
        let context = try task.context()
        guard let deadline = Int64(String(decoding: task.state, as: UTF8.self)) else {
            throw .system("echo state is not a deadline", code: "BadState", retryable: false)
        }
        let now = nowMilliseconds()
        if now < deadline { return .running(pollAfter: .milliseconds(deadline - now), status: "sleeping") }

        let config = context.task.config
        if let kind = config["fail"]?.stringValue,
            task.attempt < Int(config["fail_until_attempt"]?.integerValue ?? Int64.max), Self.injects(context)
        {
            let message = "echo failed on purpose (attempt \(task.attempt))"
            return .failed(
                kind == "system"
                    ? .system(message, code: "Injected") : .user(message, code: "Injected", retryable: true))
        }
        var outputs: LiteralMap = [:]
        for name in context.task.interface.outputs.keys {
            guard let value = context.inputs[name] else {
                return .failed(.user("echo: output \"\(name)\" has no input of the same name", code: "NoSuchInput"))
            }
            outputs[name] = value
        }
        return .succeeded(outputs)
    }

    public func abort(_ task: TaskCall) throws(PluginError) {}

    public func runSync(_ task: TaskCall) throws(PluginError) -> LiteralMap {
        let context = try task.context()
        let delay = context.task.config["delay_ms"]?.integerValue ?? 0
        if delay > 0 && Self.injects(context) { usleep(UInt32(clamping: delay * 1000)) }
        return try echoed(context, attempt: task.attempt)
    }

    /// Whether the config's delay and failure apply to this task (see `only_when`).
    private static func injects(_ context: TaskContext) -> Bool {
        guard let when = context.task.config["only_when"]?.objectValue else { return true }
        return when.allSatisfy { name, value in
            guard case .integer(let held)? = context.inputs[name] else { return false }
            return held == value.integerValue
        }
    }

    /// The outputs, each the input of the same name, or the injected failure of the task's config.
    private func echoed(_ context: TaskContext, attempt: Int) throws(PluginError) -> LiteralMap {
        let config = context.task.config
        if let kind = config["fail"]?.stringValue,
            attempt < Int(config["fail_until_attempt"]?.integerValue ?? Int64.max), Self.injects(context)
        {
            let message = "echo failed on purpose (attempt \(attempt))"
            throw kind == "system"
                ? .system(message, code: "Injected") : .user(message, code: "Injected", retryable: true)
        }
        var outputs: LiteralMap = [:]
        for name in context.task.interface.outputs.keys {
            guard let value = context.inputs[name] else {
                throw .user("echo: output \"\(name)\" has no input of the same name", code: "NoSuchInput")
            }
            outputs[name] = value
        }
        return outputs
    }
}

private func nowMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

@_cdecl("aloft_plugin_entry")
public func aloftPluginEntry(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(EchoPlugin.self, host: host)
}
