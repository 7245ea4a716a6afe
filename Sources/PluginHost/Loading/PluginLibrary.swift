import FoundationEssentials
import PluginABI

#if canImport(Glibc)
import Glibc
import AloftSystem
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
    /// call it on a host thread. `stage` hears of each step before it runs (a probe child reports them).
    static func open(
        path: String, services: HostServices,
        stage: (ProbeStage) -> Void = { _ in }
    ) throws(PluginRefusal) -> PluginLibrary {
        try checkELF(path)
        stage(.dlopen)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw .loadFailed(reason.replacing("\(path): ", with: ""))
        }
        // Never dlclose(handle): see the type's comment.
        guard let symbol = dlsym(handle, entrySymbol) else { throw .missingEntrySymbol }
        stage(.entry)
        let entry = unsafeBitCast(symbol, to: aloft_plugin_entry_fn.self)
        let callbacks = PluginCallbackTable(services: services, fileName: PathString.lastComponent(path))
        guard let raw = entry(callbacks.pointer) else { throw .declined }
        stage(.descriptor)
        let descriptor = try PluginDescriptor.read(raw)
        callbacks.pluginID = descriptor.id
        return PluginLibrary(path: path, descriptor: descriptor, raw: RawDescriptor(pointer: raw), callbacks: callbacks)
    }

    /// A clearer answer than dlopen's for the common mistakes: a directory, a text file, an executable.
    static func checkELF(_ path: String) throws(PluginRefusal) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .loadFailed(String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notSharedLibrary("not a regular file") }
        guard let file = ReadableFile(path: path) else {
            throw .loadFailed("cannot be read (permissions?)")
        }
        defer { file.close() }
        #if os(Linux)
        guard let header = ELFHeader((try? file.read(upTo: 64)) ?? []) else {
            throw .notSharedLibrary("no ELF header")
        }
        guard header.type == ELFHeader.sharedObject else {
            throw .notSharedLibrary("ELF type \(header.type), not a shared object (3)")
        }
        // dlopen says only "No such file or directory" or "wrong ELF class" for these.
        if header.machine != ELFHeader.hostMachine || header.fileClass != ELFHeader.hostClass {
            let bits = header.fileClass == 1 ? " (32-bit)" : ""
            throw .wrongArchitecture(
                file: ELFHeader.machineName(header.machine) + bits,
                host: ELFHeader.machineName(ELFHeader.hostMachine))
        }
        // A copy still in progress: mapping it would raise SIGBUS.
        if header.sectionTableEnd > UInt64(info.st_size) {
            throw .truncated(size: UInt64(info.st_size), expected: header.sectionTableEnd)
        }
        #endif
    }
}
