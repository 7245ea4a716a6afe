import PluginABI

/// The optional extensions a plugin offers (aloft/ext/), looked up once after init.
///
/// An extension struct too small to hold its function, or whose function is NULL, counts as absent: a
/// plugin built against an older header than the host's never has a field read past its struct_size.
struct PluginExtensions: @unchecked Sendable {
    // The pointers live until the process exits (plugins are never unloaded) and are only read.
    let taskLogs: UnsafePointer<aloft_ext_task_logs>?
    let taskCheck: UnsafePointer<aloft_ext_task_check>?

    init(_ raw: RawDescriptor) {
        func lookup<T>(_ id: String, _ type: T.Type) -> UnsafePointer<T>? {
            guard let get = raw.pointer.pointee.get_extension, let p = get(raw.pointer, id) else { return nil }
            let sized = p.assumingMemoryBound(to: UInt32.self).pointee >= UInt32(MemoryLayout<T>.size)
            return sized ? p.assumingMemoryBound(to: T.self) : nil
        }
        taskLogs = lookup(ALOFT_EXT_TASK_LOGS, aloft_ext_task_logs.self).flatMap {
            $0.pointee.task_logs != nil ? $0 : nil
        }
        taskCheck = lookup(ALOFT_EXT_TASK_CHECK, aloft_ext_task_check.self).flatMap {
            $0.pointee.check_task != nil ? $0 : nil
        }
    }
}
