#if canImport(Glibc)
import Glibc
#endif

/// Sets a runner's resource limits on itself, before the plugin is loaded (posix_spawn cannot).
enum RunnerLimitsApplier {
    /// nil when every limit is in place; otherwise which one could not be set and why.
    static func apply(_ limits: RunnerLimits) -> String? {
        let wanted: [(String, Int32, UInt64?)] = [
            ("address space", Int32(RLIMIT_AS.rawValue), limits.addressSpaceBytes),
            ("open files", Int32(RLIMIT_NOFILE.rawValue), limits.openFiles),
            ("CPU time", Int32(RLIMIT_CPU.rawValue), limits.cpuSeconds),
        ]
        for (name, resource, value) in wanted {
            guard let value else { continue }
            var current = rlimit()
            _ = getrlimit(__rlimit_resource_t(UInt32(resource)), &current)
            // Lowering both soft and hard: the plugin cannot raise them back.
            let hard = min(value, UInt64(current.rlim_max))
            var limit = rlimit(rlim_cur: rlim_t(hard), rlim_max: rlim_t(hard))
            if setrlimit(__rlimit_resource_t(UInt32(resource)), &limit) != 0 {
                return "cannot limit the runner's \(name) to \(value): \(String(cString: strerror(errno)))"
            }
        }
        return nil
    }
}
