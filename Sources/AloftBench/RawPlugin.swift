import AloftWire
import Foundation
import PluginABI

/// The benchmark acting as the smallest possible C host: dlopen, its own callback table, direct calls on
/// the calling thread. What a plugin call costs with nothing of Aloft's host around it.
final class RawPlugin: @unchecked Sendable {
    let plugin: UnsafePointer<aloft_plugin>
    let instance: UnsafeMutableRawPointer?

    init(path: String) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE),
            let sym = dlsym(handle, ALOFT_ENTRY_SYMBOL)
        else {
            fatalError("cannot load \(path): \(String(cString: dlerror()))")
        }
        let host = UnsafeMutablePointer<aloft_host>.allocate(capacity: 1)
        host.initialize(to: aloft_host())
        host.pointee.struct_size = UInt32(MemoryLayout<aloft_host>.size)
        host.pointee.abi_major = UInt16(ALOFT_ABI_MAJOR)
        host.pointee.abi_minor = UInt16(ALOFT_ABI_MINOR)
        host.pointee.host_version = UnsafePointer(strdup("bench"))
        host.pointee.log = { _, _, _, _ in }
        host.pointee.request_poll = { _, _ in }
        host.pointee.is_cancelled = { _, _ in 0 }
        let entry = unsafeBitCast(sym, to: aloft_plugin_entry_fn.self)
        let plugin = entry(host)!
        self.plugin = plugin
        var inst: UnsafeMutableRawPointer?
        var error = aloft_error()
        error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        let config = Array("{}".utf8)
        let status = config.withUnsafeBufferPointer {
            plugin.pointee.`init`(plugin, aloft_bytes(data: $0.baseAddress, len: 2), &inst, &error)
        }
        precondition(status == ALOFT_OK, "init failed")
        instance = inst
    }

    /// One round trip as the host does it: encode the context, submit, poll, decode the outputs.
    func roundTrip(_ context: TaskContext) -> LiteralMap {
        let bytes = context.encoded()
        return bytes.withUnsafeBufferPointer { c in
            context.taskExecutionID.withCString { id in
                var task = aloft_task(
                    struct_size: UInt32(MemoryLayout<aloft_task>.size), attempt: 0, task_execution_id: id,
                    context: aloft_bytes(data: c.baseAddress, len: c.count), state: aloft_bytes(data: nil, len: 0))
                var state = aloft_buffer()
                var error = aloft_error()
                error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
                precondition(plugin.pointee.submit(instance, &task, &state, &error) == ALOFT_OK)
                let stateCopy = Array(UnsafeBufferPointer(start: state.data, count: state.len))
                state.release?(&state)
                return stateCopy.withUnsafeBufferPointer { s in
                    task.state = aloft_bytes(data: s.baseAddress, len: s.count)
                    var result = aloft_poll_result()
                    result.struct_size = UInt32(MemoryLayout<aloft_poll_result>.size)
                    result.error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
                    precondition(plugin.pointee.poll(instance, &task, &result) == ALOFT_OK)
                    precondition(result.phase == ALOFT_PHASE_SUCCEEDED)
                    let outputs = try! LiteralMap(
                        bytes: UnsafeBufferPointer(start: result.outputs.data, count: result.outputs.len))
                    result.outputs.release?(&result.outputs)
                    result.state.release?(&result.state)
                    result.status_message.release?(&result.status_message)
                    return outputs
                }
            }
        }
    }
}
