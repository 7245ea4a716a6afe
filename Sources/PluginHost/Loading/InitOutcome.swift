import PluginABI

/// The result of calling a plugin's init.
enum InitOutcome: Sendable {
    struct Instance: @unchecked Sendable {
        let value: UnsafeMutableRawPointer?
        /// The plugin's "aloft.task-logs/1" extension, looked up once here, on the plugin's own thread.
        let taskLogs: UnsafePointer<aloft_ext_task_logs>?
    }

    case ready(Instance)
    case failed(code: String, message: String)

    static func call(_ raw: RawDescriptor, config: [UInt8]) -> InitOutcome {
        var instance: UnsafeMutableRawPointer?
        var error = aloft_error()
        error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        let status = config.withUnsafeBufferPointer { buffer in
            raw.pointer.pointee.`init`(raw.pointer, aloft_bytes(data: buffer.baseAddress, len: buffer.count), &instance, &error)
        }
        if status == ALOFT_OK {
            let ext = raw.pointer.pointee.get_extension?(raw.pointer, ALOFT_EXT_TASK_LOGS)?.assumingMemoryBound(to: aloft_ext_task_logs.self)
            // An extension struct too small to hold the function is ignored.
            let usable = ext.flatMap { $0.pointee.struct_size >= UInt32(MemoryLayout<aloft_ext_task_logs>.size) && $0.pointee.task_logs != nil ? $0 : nil }
            return .ready(Instance(value: instance, taskLogs: usable))
        }
        let result = CallResult(status: status, error: error, buffers: [])
        return .failed(code: result.errorCode, message: result.errorMessage.isEmpty ? "(no message)" : result.errorMessage)
    }
}
