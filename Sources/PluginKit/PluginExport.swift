@_exported import AloftWire
import PluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a `Plugin` type into the C ABI. A Swift plugin's whole export is:
///
///     @_cdecl("aloft_plugin_entry")
///     public func aloftPluginEntry(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
///         PluginExport.entry(MyPlugin.self, host: host)
///     }
///
/// The pointers are the C ABI's `const aloft_host *` and `const aloft_plugin *`; the kit hides the ABI's
/// types, so a Swift plugin never imports the raw header.
/// Each plugin library links its own copy of the kit, so the kit's globals belong to exactly one plugin.
public enum PluginExport {
    /// Returns the static descriptor, or nil when the host's ABI major differs from the kit's.
    public static func entry<P: Plugin>(_ type: P.Type, host: UnsafeRawPointer?) -> UnsafeRawPointer? {
        guard let host = host?.assumingMemoryBound(to: aloft_host.self), host.pointee.abi_major == ALOFT_ABI_MAJOR
        else {
            return nil
        }
        return UnsafeRawPointer(ExportState.shared.install(type, host: host))
    }
}

/// The kit's per-library state. Written once by the entry function ([host:exclusive]) before any other
/// call can happen, read-only afterwards.
final class ExportState: @unchecked Sendable {
    static let shared = ExportState()

    private(set) var pluginType: (any Plugin.Type)?
    private(set) var host: UnsafePointer<aloft_host>?
    private var descriptor: UnsafeMutablePointer<aloft_plugin>?

    func install(_ type: any Plugin.Type, host: UnsafePointer<aloft_host>) -> UnsafePointer<aloft_plugin> {
        // Entry is called once per process; should a second host call it anyway, instances it creates
        // from then on talk to that host.
        self.host = host
        if let descriptor { return UnsafePointer(descriptor) }
        pluginType = type
        let info = type.info
        let d = UnsafeMutablePointer<aloft_plugin>.allocate(capacity: 1)
        d.initialize(to: aloft_plugin())
        d.pointee.struct_size = UInt32(MemoryLayout<aloft_plugin>.size)
        d.pointee.abi_major = UInt16(ALOFT_ABI_MAJOR)
        d.pointee.abi_minor = UInt16(ALOFT_ABI_MINOR)
        // Deliberately never freed: the descriptor lives as long as the process (plugins are never unloaded).
        d.pointee.id = UnsafePointer(strdup(info.id))
        d.pointee.version = UnsafePointer(strdup(info.version))
        d.pointee.description = UnsafePointer(strdup(info.description))
        let types = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: info.taskTypes.count + 1)
        for (i, t) in info.taskTypes.enumerated() { types[i] = UnsafePointer(strdup(t)) }
        types[info.taskTypes.count] = nil
        d.pointee.task_types = UnsafePointer(types)
        d.pointee.`init` = { _, config, instanceOut, errorOut in Thunks.initialize(config, instanceOut, errorOut) }
        d.pointee.shutdown = { instance in
            Thunks.box(instance).plugin.shutdown()
            Unmanaged<PluginBox>.fromOpaque(instance!).release()
        }
        d.pointee.submit = { instance, task, stateOut, errorOut in Thunks.submit(instance, task, stateOut, errorOut) }
        d.pointee.poll = { instance, task, result in Thunks.poll(instance, task, result) }
        d.pointee.abort = { instance, task, errorOut in
            Thunks.simple(errorOut) { () throws(PluginError) in try Thunks.box(instance).plugin.abort(Thunks.call(task))
            }
        }
        d.pointee.finalize = { instance, task, errorOut in
            Thunks.simple(errorOut) { () throws(PluginError) in
                try Thunks.box(instance).plugin.finalize(Thunks.call(task))
            }
        }
        if !info.syncTaskTypes.isEmpty {
            let sync = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: info.syncTaskTypes.count + 1)
            for (i, t) in info.syncTaskTypes.enumerated() { sync[i] = UnsafePointer(strdup(t)) }
            sync[info.syncTaskTypes.count] = nil
            d.pointee.sync_task_types = UnsafePointer(sync)
            d.pointee.run_sync = { instance, task, outputsOut, errorOut in
                Thunks.runSync(instance, task, outputsOut, errorOut)
            }
        }
        d.pointee.get_extension = { _, id in
            switch id.map({ String(cString: $0) }) {
            case ALOFT_EXT_TASK_LOGS?: return UnsafeRawPointer(Thunks.taskLogsExtension)
            case ALOFT_EXT_TASK_CHECK?:
                guard ExportState.shared.pluginType?.info.checksTasks == true else { return nil }
                return UnsafeRawPointer(Thunks.taskCheckExtension)
            default: return nil
            }
        }
        descriptor = d
        return UnsafePointer(d)
    }
}

final class PluginBox {
    let plugin: any Plugin
    init(_ plugin: any Plugin) { self.plugin = plugin }
}

/// The C-callable bodies. Swift errors never cross the ABI: they become aloft_error values.
enum Thunks {
    static func box(_ instance: UnsafeMutableRawPointer?) -> PluginBox {
        Unmanaged<PluginBox>.fromOpaque(instance!).takeUnretainedValue()
    }

    static func call(_ task: UnsafePointer<aloft_task>?) -> TaskCall {
        let t = task!.pointee
        return TaskCall(
            executionID: String(cString: t.task_execution_id), attempt: Int(t.attempt),
            contextBytes: bytes(t.context), state: bytes(t.state))
    }

    static func bytes(_ b: aloft_bytes) -> [UInt8] {
        guard let data = b.data, b.len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: b.len))
    }

    static func initialize(
        _ config: aloft_bytes, _ instanceOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
        _ errorOut: UnsafeMutablePointer<aloft_error>?
    ) -> aloft_status {
        let state = ExportState.shared
        guard let type = state.pluginType, let host = state.host else { return ALOFT_ERROR }
        let configJSON: JSON
        do {
            let raw = bytes(config)
            configJSON = raw.isEmpty ? .object([:]) : try JSONParser.parse(raw)
        } catch {
            write(.user("plugin config is not valid JSON: \(error)", code: "BadConfig"), to: errorOut)
            return ALOFT_ERROR
        }
        do {
            let plugin = try type.init(config: configJSON, host: HostServices(host))
            instanceOut?.pointee = Unmanaged.passRetained(PluginBox(plugin)).toOpaque()
            return ALOFT_OK
        } catch {
            write(error, to: errorOut)
            return ALOFT_ERROR
        }
    }

    static func submit(
        _ instance: UnsafeMutableRawPointer?, _ task: UnsafePointer<aloft_task>?,
        _ stateOut: UnsafeMutablePointer<aloft_buffer>?, _ errorOut: UnsafeMutablePointer<aloft_error>?
    ) -> aloft_status {
        do {
            let state = try box(instance).plugin.submit(call(task))
            stateOut?.pointee = makeBuffer(state)
            return ALOFT_OK
        } catch {
            write(error, to: errorOut)
            return ALOFT_ERROR
        }
    }

    static func runSync(
        _ instance: UnsafeMutableRawPointer?, _ task: UnsafePointer<aloft_task>?,
        _ outputsOut: UnsafeMutablePointer<aloft_buffer>?, _ errorOut: UnsafeMutablePointer<aloft_error>?
    ) -> aloft_status {
        do {
            let outputs = try box(instance).plugin.runSync(call(task))
            outputsOut?.pointee = makeBuffer(outputs.canonicalBytes)
            return ALOFT_OK
        } catch {
            write(error, to: errorOut)
            return ALOFT_ERROR
        }
    }

    static func poll(
        _ instance: UnsafeMutableRawPointer?, _ task: UnsafePointer<aloft_task>?,
        _ out: UnsafeMutablePointer<aloft_poll_result>?
    ) -> aloft_status {
        guard let out else { return ALOFT_ERROR }
        let result: PollResult
        do { result = try box(instance).plugin.poll(call(task)) } catch {
            write(error, to: withUnsafeMutablePointer(to: &out.pointee.error) { $0 })
            return ALOFT_ERROR
        }
        out.pointee.phase = result.phase.rawValue
        if let after = result.pollAfter {
            let (s, atto) = after.components
            out.pointee.poll_after_ms = UInt32(clamping: max(0, s * 1000 + atto / 1_000_000_000_000_000))
        }
        if let state = result.state { out.pointee.state = makeBuffer(state) }
        if let outputs = result.outputs { out.pointee.outputs = makeBuffer(outputs.canonicalBytes) }
        if let message = result.statusMessage { out.pointee.status_message = makeBuffer(Array(message.utf8)) }
        if let error = result.error { write(error, to: withUnsafeMutablePointer(to: &out.pointee.error) { $0 }) }
        return ALOFT_OK
    }

    static func simple(
        _ errorOut: UnsafeMutablePointer<aloft_error>?, _ body: () throws(PluginError) -> Void
    ) -> aloft_status {
        do {
            try body()
            return ALOFT_OK
        } catch {
            write(error, to: errorOut)
            return ALOFT_ERROR
        }
    }

    static func write(_ error: PluginError, to out: UnsafeMutablePointer<aloft_error>?) {
        guard let out, out.pointee.struct_size >= UInt32(MemoryLayout<aloft_error>.size) else { return }
        out.pointee.kind = error.kind == .user ? UInt32(ALOFT_ERROR_USER) : UInt32(ALOFT_ERROR_SYSTEM)
        out.pointee.retryable = error.retryable ? 1 : 0
        out.pointee.code = makeBuffer(Array(error.code.utf8))
        out.pointee.message = makeBuffer(Array(error.message.utf8))
    }

    // Immutable once built; the host only reads it.
    nonisolated(unsafe) static let taskLogsExtension: UnsafeMutablePointer<aloft_ext_task_logs> = {
        let ext = UnsafeMutablePointer<aloft_ext_task_logs>.allocate(capacity: 1)
        ext.initialize(to: aloft_ext_task_logs())
        ext.pointee.struct_size = UInt32(MemoryLayout<aloft_ext_task_logs>.size)
        ext.pointee.task_logs = { instance, task, linksOut, errorOut in
            do throws(PluginError) {
                let links = try box(instance).plugin.taskLogs(call(task)) ?? []
                let json = JSON.array(links.map { .object(["name": .string($0.name), "uri": .string($0.uri)]) })
                linksOut?.pointee = makeBuffer(JSONWriter.encode(json))
                return ALOFT_OK
            } catch {
                write(error, to: errorOut)
                return ALOFT_ERROR
            }
        }
        return ext
    }()
}

extension Thunks {
    // Immutable once built; the host only reads it.
    nonisolated(unsafe) static let taskCheckExtension: UnsafeMutablePointer<aloft_ext_task_check> = {
        let ext = UnsafeMutablePointer<aloft_ext_task_check>.allocate(capacity: 1)
        ext.initialize(to: aloft_ext_task_check())
        ext.pointee.struct_size = UInt32(MemoryLayout<aloft_ext_task_check>.size)
        ext.pointee.check_task = { instance, template, problemsOut, errorOut in
            let task: TaskTemplate
            do { task = try TaskTemplate(json: try JSONParser.parse(bytes(template)), path: "task") } catch {
                write(
                    .system("the task template could not be decoded: \(error)", code: "BadTemplate", retryable: false),
                    to: errorOut)
                return ALOFT_ERROR
            }
            let problems = box(instance).plugin.check(task)
            if !problems.isEmpty { problemsOut?.pointee = makeBuffer(JSONWriter.encode(.array(problems.map(\.json)))) }
            return ALOFT_OK
        }
        return ext
    }()
}

/// A buffer the receiver frees with `release`, which calls this library's `free` (the C helper
/// `aloft_kit_buffer_copy` of aloft/kit/buffer.h, compiled into this library). Empty bytes give an empty
/// buffer with nothing to release.
func makeBuffer(_ bytes: [UInt8]) -> aloft_buffer {
    bytes.withUnsafeBytes { aloft_kit_buffer_copy($0.baseAddress, $0.count) }
}
