import Foundation
import PluginABI

#if canImport(Glibc)
import Glibc
#endif

/// One shared library opened as a plugin: dlopen, the entry symbol, the descriptor.
///
/// Libraries are opened with RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE and never closed: unloading Swift code
/// crashes other plugins and dispatch threads (see docs/plugin-abi.md, "Loading").
struct PluginLibrary: @unchecked Sendable {
    static let entrySymbol = ALOFT_ENTRY_SYMBOL

    let path: String
    let descriptor: PluginDescriptor
    let raw: RawDescriptor
    let callbacks: PluginCallbackTable

    /// Opens `path` and reads its descriptor. Runs plugin code (library constructors, the entry function):
    /// call it on a host thread.
    static func open(path: String, services: HostServices) throws(PluginRefusal) -> PluginLibrary {
        try checkELF(path)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw .loadFailed(reason.replacingOccurrences(of: "\(path): ", with: ""))
        }
        // Never dlclose(handle): see the type's comment.
        guard let symbol = dlsym(handle, entrySymbol) else { throw .missingEntrySymbol }
        let entry = unsafeBitCast(symbol, to: aloft_plugin_entry_fn.self)
        let callbacks = PluginCallbackTable(services: services, fileName: (path as NSString).lastPathComponent)
        guard let raw = entry(callbacks.pointer) else { throw .declined }
        let descriptor = try PluginDescriptor.read(raw)
        callbacks.pluginID = descriptor.id
        return PluginLibrary(path: path, descriptor: descriptor, raw: RawDescriptor(pointer: raw), callbacks: callbacks)
    }

    /// A clearer answer than dlopen's for the common mistakes: a directory, a text file, an executable.
    static func checkELF(_ path: String) throws(PluginRefusal) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .loadFailed(String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notSharedLibrary("not a regular file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .loadFailed("cannot be read (permissions?)") }
        defer { try? handle.close() }
        let header = [UInt8](handle.readData(ofLength: 18))
        #if os(Linux)
        guard header.count >= 18, header[0] == 0x7F, header[1] == 0x45, header[2] == 0x4C, header[3] == 0x46 else {
            throw .notSharedLibrary("no ELF header")
        }
        let type = UInt16(header[16]) | UInt16(header[17]) << 8
        guard type == 3 else { throw .notSharedLibrary("ELF type \(type), not a shared object (3)") }
        #endif
    }
}
