import PluginABI

/// The result of calling a plugin's init.
enum InitOutcome: Sendable {
    struct Instance: @unchecked Sendable {
        let value: UnsafeMutableRawPointer?
        /// The plugin's extensions, looked up once here, on the plugin's own thread.
        let extensions: PluginExtensions
    }

    case ready(Instance)
    case failed(code: String, message: String)

    static func call(_ raw: RawDescriptor, config: [UInt8]) -> InitOutcome {
        var instance: UnsafeMutableRawPointer?
        var error = aloft_error()
        error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        let status = config.withUnsafeBufferPointer { buffer in
            raw.pointer.pointee.`init`(
                raw.pointer, aloft_bytes(data: buffer.baseAddress, len: buffer.count), &instance, &error)
        }
        if status == ALOFT_OK {
            return .ready(Instance(value: instance, extensions: PluginExtensions(raw)))
        }
        let result = CallResult(status: status, error: error, buffers: [])
        return .failed(
            code: result.errorCode, message: result.errorMessage.isEmpty ? "(no message)" : result.errorMessage)
    }
}
