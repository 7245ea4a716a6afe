import AloftWire
import PluginABI
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `aloft_host` table handed to one plugin. It lives until the process exits (plugins may keep the
/// pointer), so it is allocated once and never freed.
final class PluginCallbackTable: @unchecked Sendable {
    // Immutable after init; `pluginID` is set once the descriptor is known and read under its lock.
    let pointer: UnsafeMutablePointer<aloft_host>
    let services: HostServices
    private let pluginIDStorage = Mutex<String>("")
    // Written once, read-only, never freed (plugins may keep the pointers).
    nonisolated(unsafe) static let hostVersion = strdup(AloftVersion.string)!
    nonisolated(unsafe) static let hostName = strdup("aloft")!

    var pluginID: String {
        get { pluginIDStorage.withLock { $0 } }
        set { pluginIDStorage.withLock { $0 = newValue } }
    }

    init(services: HostServices, fileName: String) {
        self.services = services
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: aloft_host())
        pluginIDStorage.withLock { $0 = fileName }
        let h = pointer
        h.pointee.struct_size = UInt32(MemoryLayout<aloft_host>.size)
        h.pointee.abi_major = UInt16(ALOFT_ABI_MAJOR)
        h.pointee.abi_minor = UInt16(ALOFT_ABI_MINOR)
        h.pointee.host_name = UnsafePointer(Self.hostName)
        h.pointee.host_version = UnsafePointer(Self.hostVersion)
        h.pointee.host_data = Unmanaged.passRetained(self).toOpaque()  // never released: lives with the table
        h.pointee.log = { host, level, task, message in
            guard let table = PluginCallbackTable.from(host), let message else { return }
            table.services.log(
                plugin: table.pluginID, level: level, task: task.map { String(cString: $0) },
                message: String(cString: message))
        }
        h.pointee.get_secret = { host, name, valueOut, errorOut in
            guard let table = PluginCallbackTable.from(host), let name, let valueOut else { return ALOFT_ERROR }
            let secretName = String(cString: name)
            switch table.services.secret(plugin: table.pluginID, name: secretName) {
            case .value(let bytes):
                valueOut.pointee = makeWipingBuffer(bytes)
                return ALOFT_OK
            case .denied, .notFound:
                // A denied secret reads as not found: the plugin learns nothing about what exists.
                writeError(
                    errorOut, kind: ALOFT_ERROR_USER, code: .secretNotFound,
                    message: "secret \"\(secretName)\" is not available to plugin \(table.pluginID)")
                return ALOFT_ERROR
            }
        }
        h.pointee.request_poll = { host, task in
            guard let table = PluginCallbackTable.from(host), let task else { return }
            table.services.signals.requestPoll(String(cString: task))
        }
        h.pointee.is_cancelled = { host, task in
            guard let table = PluginCallbackTable.from(host), let task else { return 0 }
            return table.services.signals.cancellationLevel(String(cString: task))
        }
        h.pointee.get_extension = { _, _ in nil }  // the host offers no extensions in ABI 1.0
    }

    static func from(_ host: UnsafePointer<aloft_host>?) -> PluginCallbackTable? {
        guard let data = host?.pointee.host_data else { return nil }
        return Unmanaged<PluginCallbackTable>.fromOpaque(data).takeUnretainedValue()
    }
}

/// A host-owned buffer the plugin releases; release overwrites the bytes before freeing them.
func makeWipingBuffer(_ bytes: [UInt8]) -> aloft_buffer {
    let data = malloc(max(bytes.count, 1))!.assumingMemoryBound(to: UInt8.self)
    bytes.withUnsafeBufferPointer { if let base = $0.baseAddress { data.update(from: base, count: bytes.count) } }
    return aloft_buffer(
        data: UnsafePointer(data), len: bytes.count,
        release: { buffer in
            guard let buffer, let data = buffer.pointee.data else { return }
            let mutable = UnsafeMutablePointer(mutating: data)
            for i in 0..<buffer.pointee.len { mutable[i] = 0 }
            free(mutable)
            buffer.pointee.data = nil
            buffer.pointee.len = 0
            buffer.pointee.release = nil
        },
        private_data: nil)
}

/// A host-owned buffer of ordinary bytes (aloft/kit/buffer.h's helper: malloc'd, freed by its release).
func makeHostBuffer(_ bytes: [UInt8]) -> aloft_buffer {
    bytes.withUnsafeBytes { aloft_kit_buffer_copy($0.baseAddress, $0.count) }
}

/// Fills a plugin's `aloft_error` (when it has room): the code goes out as its string.
func writeError(_ out: UnsafeMutablePointer<aloft_error>?, kind: Int32, code: TaskError.Code, message: String) {
    guard let out, out.pointee.struct_size >= UInt32(MemoryLayout<aloft_error>.size) else { return }
    out.pointee.kind = UInt32(kind)
    out.pointee.retryable = 0
    out.pointee.code = makeHostBuffer(Array(code.rawValue.utf8))
    out.pointee.message = makeHostBuffer(Array(message.utf8))
}
