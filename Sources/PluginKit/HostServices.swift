import PluginABI

/// The host's callbacks, safe to use from any thread.
public struct HostServices: @unchecked Sendable {
    // The host table lives until the process exits and its callbacks are thread-safe (aloft/host.h).
    let host: UnsafePointer<aloft_host>

    init(_ host: UnsafePointer<aloft_host>) { self.host = host }

    public var hostVersion: String { String(cString: host.pointee.host_version) }

    public func log(_ level: LogLevel, _ message: String, task: String? = nil) {
        guard let log = host.pointee.log else { return }
        if let task {
            task.withCString { t in message.withCString { log(host, level.rawValue, t, $0) } }
        } else {
            message.withCString { log(host, level.rawValue, nil, $0) }
        }
    }

    /// The secret's bytes. Keep them no longer than needed and never log them.
    public func secret(_ name: String) throws(PluginError) -> [UInt8] {
        guard let getSecret = host.pointee.get_secret else {
            throw .system("the host offers no secrets", code: "SecretNotFound", retryable: false)
        }
        var value = aloft_buffer()
        var error = aloft_error()
        error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        let status = name.withCString { getSecret(host, $0, &value, &error) }
        if status == ALOFT_OK {
            defer { value.release?(&value) }
            return Array(UnsafeBufferPointer(start: value.data, count: value.len))
        }
        throw PluginError(fromC: &error, fallback: "secret \"\(name)\" is not available")
    }

    /// Ask the host to poll this task soon (e.g. a watched process exited).
    public func requestPoll(_ taskExecutionID: String) {
        guard let requestPoll = host.pointee.request_poll else { return }
        taskExecutionID.withCString { requestPoll(host, $0) }
    }

    /// True when the host wants the task gone; long work inside a call should stop early.
    public func isCancelled(_ taskExecutionID: String) -> Bool {
        guard let isCancelled = host.pointee.is_cancelled else { return false }
        return taskExecutionID.withCString { isCancelled(host, $0) } != 0
    }

    /// True when the host wants the task gone at once (a second interrupt): stop waiting out grace periods.
    public func isUrgentlyCancelled(_ taskExecutionID: String) -> Bool {
        guard let isCancelled = host.pointee.is_cancelled else { return false }
        return taskExecutionID.withCString { isCancelled(host, $0) } >= 2
    }
}

extension PluginError {
    /// Takes the error the host filled and releases its buffers.
    init(fromC error: inout aloft_error, fallback: String) {
        let code = takeString(&error.code)
        let message = takeString(&error.message)
        self.init(
            kind: error.kind == ALOFT_ERROR_USER ? .user : .system, retryable: error.retryable != 0,
            code: code, message: message.isEmpty ? fallback : message)
    }
}

func takeString(_ buffer: inout aloft_buffer) -> String {
    defer { buffer.release?(&buffer) }
    guard let data = buffer.data, buffer.len > 0 else { return "" }
    return String(decoding: UnsafeBufferPointer(start: data, count: buffer.len), as: UTF8.self)
}
