/// Why a plugin file was not loaded. Each refusal concerns one file; the others load regardless.
public enum PluginRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case notSharedLibrary(String)
    case loadFailed(String)
    case missingEntrySymbol
    case declined
    case malformedDescriptor(String)
    case abiMajorMismatch(plugin: Int, host: Int)
    case abiMinorNewer(plugin: String, host: String)
    case entryOverran(seconds: Double)
    case initFailed(code: String, message: String)
    case initOverran(seconds: Double)
    case duplicateID(id: String, loadedFrom: String)
    case sameFile(as: String)
    case wrongArchitecture(file: String, host: String)
    case truncated(size: UInt64, expected: UInt64)
    /// Loading it in a child process first went wrong (see `PluginProbe`).
    case probeFailed(ProbeFailure)
    /// `isolation: process`: its runner could not load or initialize it.
    case runnerFailed(String)
    /// Found by a rescan while that id runs: only a higher version replaces it (see `PluginHost.rescan`).
    case notNewer(id: String, version: String, loadedVersion: String, loadedFrom: String)
    /// A loaded library's file changed in place: the dynamic loader would hand back the library it already has.
    case replacedInPlace
    /// A deferred plugin's file (see `PluginRecord.Status.deferred`) held another plugin or version when its
    /// first task call came: the command routed by the descriptor it had at start-up.
    case changedBeforeInit(expected: String, found: String)

    public var description: String {
        switch self {
        case .notSharedLibrary(let why): return "not a shared library: \(why)"
        case .loadFailed(let why): return "could not be loaded: \(why)"
        case .missingEntrySymbol:
            return
                "missing entry symbol \(PluginLibrary.entrySymbol) (is it an Aloft plugin? export it with ALOFT_EXPORT)"
        case .declined:
            return
                "the entry function returned NULL: the plugin declined this host (Aloft \(AloftVersion.string), ABI \(AloftVersion.abiMajor).\(AloftVersion.abiMinor))"
        case .malformedDescriptor(let why): return "invalid descriptor: \(why)"
        case .abiMajorMismatch(let plugin, let host):
            return "built for plugin ABI major \(plugin), this host speaks ABI major \(host)"
        case .abiMinorNewer(let plugin, let host):
            return
                "built for plugin ABI \(plugin), newer than this host's \(host): upgrade Aloft or rebuild the plugin against ABI \(host)"
        case .entryOverran(let s): return "the entry function did not return within \(s) s"
        case .initFailed(let code, let message): return "init failed: \(message)" + (code.isEmpty ? "" : " [\(code)]")
        case .initOverran(let s): return "init did not return within \(s) s"
        case .duplicateID(let id, let path): return "duplicate plugin id \"\(id)\": already loaded from \(path)"
        case .sameFile(let other): return "the same file as \(other) (reachable twice)"
        case .wrongArchitecture(let file, let host): return "built for \(file), this host is \(host)"
        case .truncated(let size, let expected):
            return "truncated: \(size) bytes, but its ELF header reaches byte \(expected) (a copy still in progress?)"
        case .probeFailed(let failure): return failure.description
        case .runnerFailed(let why): return "could not be loaded in its runner process: \(why)"
        case .notNewer(let id, let version, let loaded, let path):
            return
                "plugin \(id) \(loaded) is already loaded from \(path); version \(version) is not newer (only a higher version takes its task types)"
        case .replacedInPlace:
            return
                "changed after it was loaded: a loaded library's path cannot be loaded again; drop the new version under a new file name"
        case .changedBeforeInit(let expected, let found):
            return
                "changed after start-up: this command routed to \(expected), and the file now holds \(found); run the command again"
        }
    }

    /// A stable short name, for machine-readable listings.
    public var kind: String {
        switch self {
        case .notSharedLibrary: return "not-shared-library"
        case .loadFailed: return "load-failed"
        case .missingEntrySymbol: return "missing-entry-symbol"
        case .declined: return "null-descriptor"
        case .malformedDescriptor: return "malformed-descriptor"
        case .abiMajorMismatch: return "abi-major-mismatch"
        case .abiMinorNewer: return "abi-minor-newer"
        case .entryOverran: return "entry-overran"
        case .initFailed: return "init-failed"
        case .initOverran: return "init-overran"
        case .duplicateID: return "duplicate-id"
        case .sameFile: return "same-file"
        case .wrongArchitecture: return "wrong-architecture"
        case .truncated: return "truncated"
        case .probeFailed(let failure): return failure.kind
        case .runnerFailed: return "runner-failed"
        case .notNewer: return "not-newer"
        case .replacedInPlace: return "replaced-in-place"
        case .changedBeforeInit: return "changed-before-init"
        }
    }
}
