import PluginABI

/// The C call each task call makes, with its result copied out (see CallResult): shared by the host's
/// budgeted calls (`LoadedPlugin`) and a runner's direct ones (`LoadedPlugin.serveDirect`).
enum CallBodies {
    static let submit: LoadedPlugin.CallBody = { plugin, instance, t in
        var state = aloft_buffer()
        var error = newError()
        let status = plugin.submit(instance, t, &state, &error)
        return CallResult(status: status, error: error, buffers: [state])
    }

    static let poll: LoadedPlugin.CallBody = { plugin, instance, t in
        var r = aloft_poll_result()
        r.struct_size = UInt32(MemoryLayout<aloft_poll_result>.size)
        r.error = newError()
        let status = plugin.poll(instance, t, &r)
        return CallResult(
            status: status, error: r.error, buffers: [r.state, r.outputs, r.status_message],
            phase: r.phase, pollAfterMs: r.poll_after_ms)
    }

    static let abort: LoadedPlugin.CallBody = { plugin, instance, t in
        var error = newError()
        let status = plugin.abort(instance, t, &error)
        return CallResult(status: status, error: error, buffers: [])
    }

    /// Only for plugins that have finalize.
    static let finalize: LoadedPlugin.CallBody = { plugin, instance, t in
        var error = newError()
        let status = plugin.finalize!(instance, t, &error)
        return CallResult(status: status, error: error, buffers: [])
    }

    static func taskLogs(_ extensions: PluginExtensions) -> LoadedPlugin.CallBody {
        { _, instance, t in
            var links = aloft_buffer()
            var error = newError()
            let status = extensions.taskLogs!.pointee.task_logs!(instance, t, &links, &error)
            return CallResult(status: status, error: error, buffers: [links])
        }
    }

    /// Only for plugins with run_sync (ABI 1.1).
    static let runSync: LoadedPlugin.CallBody = { plugin, instance, t in
        var outputs = aloft_buffer()
        var error = newError()
        let status = plugin.run_sync!(instance, t, &outputs, &error)
        return CallResult(status: status, error: error, buffers: [outputs])
    }
}
