import AloftSystem
import AloftWire
import FoundationEssentials
import Glibc
import Synchronization

/// What a probe found about one file.
public struct ProbeVerdict: Sendable, Codable, Equatable {
    /// nil: the file passed.
    public var failure: ProbeFailure?
    /// The descriptor, when the probe read it (the types a refused file would have served).
    public var descriptor: PluginDescriptor?

    var isUnprobed: Bool {
        if case .unprobed = failure { return true }
        return false
    }
}

/// Probe verdicts by file identity (path, device, inode, size, modification time), the Aloft version and
/// what init would get: a file is probed again when any of them changes. One JSON file, rewritten whole
/// (by rename) on each new verdict; two hosts writing at once may lose one verdict, which costs one probe.
public final class VerdictCache: Sendable {
    public let file: String
    private let entries: Mutex<[String: ProbeVerdict]?> = Mutex(nil)
    /// Beyond this many entries some are dropped (in key order): they cost a probe if the file is still there.
    static let maxEntries = 512

    public init(file: String) { self.file = file }

    public static func standard(environment: [String: String]) -> VerdictCache? {
        if let dir = environment["XDG_CACHE_HOME"], dir.hasPrefix("/") {
            return VerdictCache(file: dir + "/aloft/plugin-verdicts.json")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return VerdictCache(file: home + "/.cache/aloft/plugin-verdicts.json")
    }

    public struct Key: Hashable, Sendable {
        let text: String

        init?(path: String, request: ProbeRequest) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            let requestHash = fnv1a(JSONWriter.encode(request.json))
            text =
                "\(path)|\(info.st_dev)|\(info.st_ino)|\(info.st_size)|\(mtime)|\(AloftVersion.string)|\(String(requestHash, radix: 16))"
        }
    }

    public func verdict(for key: Key) -> ProbeVerdict? {
        entries.withLock { cached in
            if cached == nil { cached = Self.read(file) }
            return cached?[key.text]
        }
    }

    public func record(_ verdict: ProbeVerdict, for key: Key) {
        entries.withLock { cached in
            // Merge with what other hosts wrote meanwhile.
            var all = Self.read(file)
            all[key.text] = verdict
            if all.count > Self.maxEntries {
                for k in all.keys.sorted().prefix(all.count - Self.maxEntries) where k != key.text { all[k] = nil }
            }
            cached = all
            Self.write(all, to: file)
        }
    }

    private static func read(_ file: String) -> [String: ProbeVerdict] {
        guard let data = FileManager.default.contents(atPath: file),
            let decoded = try? JSONDecoder().decode([String: ProbeVerdict].self, from: data)
        else { return [:] }
        return decoded
    }

    private static func write(_ entries: [String: ProbeVerdict], to file: String) {
        guard let data = try? JSONEncoder().encode(entries) else { return }
        let dir = PathString.parent(file)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A cache that cannot be written only costs probes.
        try? data.write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}

private func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
        hash ^= UInt64(b)
        hash &*= 0x0000_0100_0000_01B3
    }
    return hash
}
