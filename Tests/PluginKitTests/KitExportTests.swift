import PluginABI
import PluginKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A plugin written with the kit, driven through the C descriptor the kit exports: what a C host sees.
final class CountingPlugin: Plugin {
    static let info = PluginInfo(
        id: "test.counting", version: "2.0.0", description: "kit test", taskTypes: ["count", "fail"])
    let host: HostServices

    init(config: JSON, host: HostServices) throws(PluginError) {
        if let reason = config["refuse"]?.stringValue { throw .user("config refused: \(reason)", code: "BadConfig") }
        self.host = host
    }

    func submit(_ task: TaskCall) throws(PluginError) -> [UInt8] {
        let context = try task.context()
        if context.task.type == "fail" { throw .system("cannot submit", code: "Unavailable") }
        host.log(.info, "submitted", task: task.executionID)
        return Array("state-\(task.attempt)".utf8)
    }

    func poll(_ task: TaskCall) throws(PluginError) -> PollResult {
        let n = context(task).inputs["n"]
        guard case .integer(let value) = n else { return .failed(.user("n missing", code: "NoInput")) }
        if value < 0 { return .failed(.user("n must not be negative", code: "Negative")) }
        return PollResult(
            phase: .succeeded, pollAfter: .milliseconds(1500), state: Array("done".utf8),
            outputs: ["n": .integer(value + 1)], statusMessage: "counted")
    }

    private func context(_ task: TaskCall) -> TaskContext { (try? task.context())! }

    func abort(_ task: TaskCall) throws(PluginError) {}

    func taskLogs(_ task: TaskCall) throws(PluginError) -> [LogLink]? {
        [LogLink(name: "stdout", uri: "file:///logs/\(task.executionID)")]
    }
}

/// A minimal C host table recording what the plugin said.
final class RecordingHost: @unchecked Sendable {
    nonisolated(unsafe) static var logLines: [String] = []
    let table: UnsafeMutablePointer<aloft_host>

    init() {
        table = .allocate(capacity: 1)
        table.initialize(to: aloft_host())
        table.pointee.struct_size = UInt32(MemoryLayout<aloft_host>.size)
        table.pointee.abi_major = UInt16(ALOFT_ABI_MAJOR)
        table.pointee.abi_minor = UInt16(ALOFT_ABI_MINOR)
        table.pointee.host_version = UnsafePointer(strdup("test"))
        table.pointee.log = { _, _, task, message in
            RecordingHost.logLines.append("\(task.map { String(cString: $0) } ?? "-"): \(String(cString: message!))")
        }
    }
}

func take(_ b: inout aloft_buffer) -> String {
    defer { b.release?(&b) }
    guard let data = b.data else { return "" }
    return String(decoding: UnsafeBufferPointer(start: data, count: b.len), as: UTF8.self)
}

@Suite(.serialized) struct KitExportTests {
    static let host = RecordingHost()
    nonisolated(unsafe) static let descriptor = PluginExport.entry(
        CountingPlugin.self, host: UnsafeRawPointer(host.table))!
        .assumingMemoryBound(to: aloft_plugin.self)

    static func context(type: String = "count", inputs: LiteralMap) -> [UInt8] {
        TaskContext(
            taskExecutionID: "ex-n-0",
            identity: ExecutionIdentity(project: "p", domain: "d", execution: "ex", node: "n", attempt: 0),
            task: TaskTemplate(
                name: "t", type: type, interface: TaskInterface(inputs: ["n": .integer], outputs: ["n": .integer])),
            inputs: inputs, outputPrefix: "file:///o/"
        ).encoded()
    }

    static func withTask<T>(_ context: [UInt8], state: [UInt8] = [], _ body: (UnsafePointer<aloft_task>) -> T) -> T {
        context.withUnsafeBufferPointer { c in
            state.withUnsafeBufferPointer { s in
                "ex-n-0".withCString { id in
                    var t = aloft_task(
                        struct_size: UInt32(MemoryLayout<aloft_task>.size), attempt: 0, task_execution_id: id,
                        context: aloft_bytes(data: c.baseAddress, len: c.count),
                        state: aloft_bytes(data: s.baseAddress, len: s.count))
                    return withUnsafePointer(to: &t, body)
                }
            }
        }
    }

    static func instance(config: String = "{}") -> (aloft_status, UnsafeMutableRawPointer?, aloft_error) {
        var instance: UnsafeMutableRawPointer?
        var error = aloft_error()
        error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        let bytes = Array(config.utf8)
        let status = bytes.withUnsafeBufferPointer {
            descriptor.pointee.`init`(descriptor, aloft_bytes(data: $0.baseAddress, len: $0.count), &instance, &error)
        }
        return (status, instance, error)
    }

    @Test func descriptorStatesIdentityAndTypes() {
        let d = Self.descriptor.pointee
        #expect(d.struct_size == UInt32(MemoryLayout<aloft_plugin>.size))
        #expect(Int(d.abi_major) == Int(ALOFT_ABI_MAJOR))
        #expect(String(cString: d.id) == "test.counting")
        #expect(String(cString: d.version) == "2.0.0")
        #expect(String(cString: d.task_types[0]!) == "count")
        #expect(String(cString: d.task_types[1]!) == "fail")
        #expect(d.task_types[2] == nil)
        // A host of another major is declined.
        var other = Self.host.table.pointee
        other.abi_major = 9
        #expect(PluginExport.entry(CountingPlugin.self, host: &other) == nil)
    }

    @Test func initErrorsBecomeABIErrors() {
        var (status, _, error) = Self.instance(config: #"{"refuse":"no"}"#)
        #expect(status == ALOFT_ERROR)
        #expect(error.kind == UInt32(ALOFT_ERROR_USER))
        #expect(take(&error.code) == "BadConfig")
        #expect(take(&error.message) == "config refused: no")
        #expect(error.message.release == nil)

        var (status2, _, error2) = Self.instance(config: "{oops")
        #expect(status2 == ALOFT_ERROR)
        #expect(take(&error2.message).hasPrefix("plugin config is not valid JSON: 1:2"))
    }

    @Test func submitPollAndExtensionThroughTheCSurface() throws {
        let (status, instance, _) = Self.instance()
        #expect(status == ALOFT_OK)
        let d = Self.descriptor.pointee

        var state = aloft_buffer()
        var error = aloft_error()
        error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        let submitted = Self.withTask(Self.context(inputs: ["n": .integer(41)])) {
            d.submit(instance, $0, &state, &error)
        }
        #expect(submitted == ALOFT_OK)
        #expect(take(&state) == "state-0")
        #expect(RecordingHost.logLines.contains("ex-n-0: submitted"))

        var result = aloft_poll_result()
        result.struct_size = UInt32(MemoryLayout<aloft_poll_result>.size)
        result.error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        let polled = Self.withTask(Self.context(inputs: ["n": .integer(41)]), state: Array("state-0".utf8)) {
            d.poll(instance, $0, &result)
        }
        #expect(polled == ALOFT_OK)
        #expect(result.phase == ALOFT_PHASE_SUCCEEDED)
        #expect(result.poll_after_ms == 1500)
        #expect(take(&result.state) == "done")
        #expect(take(&result.outputs) == #"{"n":{"integer":42}}"#)
        #expect(take(&result.status_message) == "counted")
        #expect(result.outputs.release == nil)

        let ext = d.get_extension(Self.descriptor, ALOFT_EXT_TASK_LOGS)!.assumingMemoryBound(
            to: aloft_ext_task_logs.self)
        var links = aloft_buffer()
        let logged = Self.withTask(Self.context(inputs: [:])) { ext.pointee.task_logs(instance, $0, &links, &error) }
        #expect(logged == ALOFT_OK)
        #expect(take(&links) == #"[{"name":"stdout","uri":"file:///logs/ex-n-0"}]"#)
        #expect(d.get_extension(Self.descriptor, "aloft.unknown/1") == nil)
        d.shutdown(instance)
    }

    @Test func failuresKeepKindRetryableAndCode() {
        let (_, instance, _) = Self.instance()
        let d = Self.descriptor.pointee
        var state = aloft_buffer()
        var error = aloft_error()
        error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        let status = Self.withTask(Self.context(type: "fail", inputs: [:])) { d.submit(instance, $0, &state, &error) }
        #expect(status == ALOFT_ERROR)
        #expect(error.kind == UInt32(ALOFT_ERROR_SYSTEM))
        #expect(error.retryable == 1)
        #expect(take(&error.code) == "Unavailable")
        #expect(take(&error.message) == "cannot submit")

        var result = aloft_poll_result()
        result.struct_size = UInt32(MemoryLayout<aloft_poll_result>.size)
        result.error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        _ = Self.withTask(Self.context(inputs: ["n": .integer(-1)])) { d.poll(instance, $0, &result) }
        #expect(result.phase == ALOFT_PHASE_FAILED)
        #expect(result.error.kind == UInt32(ALOFT_ERROR_USER))
        #expect(result.error.retryable == 0)
        #expect(take(&result.error.message) == "n must not be negative")
        _ = take(&result.error.code)
        d.shutdown(instance)
    }

    @Test func aSecondHostTableIsAdoptedForNewInstances() {
        let second = RecordingHost()
        second.table.pointee.log = { _, _, _, message in
            RecordingHost.logLines.append("second: \(String(cString: message!))")
        }
        #expect(
            PluginExport.entry(CountingPlugin.self, host: UnsafeRawPointer(second.table))
                == UnsafeRawPointer(Self.descriptor))
        let (_, instance, _) = Self.instance()
        var state = aloft_buffer()
        var error = aloft_error()
        error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        _ = Self.withTask(Self.context(inputs: ["n": .integer(1)])) {
            Self.descriptor.pointee.submit(instance, $0, &state, &error)
        }
        state.release?(&state)
        #expect(RecordingHost.logLines.contains("second: submitted"))
        // Back to the first host for the other tests of this suite.
        _ = PluginExport.entry(CountingPlugin.self, host: UnsafeRawPointer(Self.host.table))
        Self.descriptor.pointee.shutdown(instance)
    }
}
