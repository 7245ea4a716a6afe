import AloftSystem
import AloftWire
import FoundationEssentials
import Glibc
import Synchronization

/// Plugin descriptors by file identity (path, device, inode, size, modification time) and the Aloft version:
/// what lets a host route every task type without mapping a plugin it will not call. A file is read again
/// (dlopen and its descriptor) when any part of its identity changes. One JSON file, read once per process
/// with AloftWire's parser (an entry is decoded only when looked up), rewritten whole (by rename) only when a
/// descriptor was new, without the entries of files that are gone (a test's or a benchmark's temporary
/// plugins would otherwise fill it); two hosts writing at once may lose an entry, which costs one dlopen next
/// time.
///
/// An entry also says whether the file's plugin offered "aloft.task-check/1" when a host last initialized it
/// (`checksTasks`): with that known to be false, a command may defer the plugin's initialization to its first
/// task call (`PluginHost.start(deferring:)`), since compiling needs nothing of it.
public final class DescriptorCache: Sendable {
    public let file: String
    private let entries: Mutex<[String: JSON]?> = Mutex(nil)
    /// Beyond this many entries some are dropped (in key order): they cost a dlopen if the file is still there.
    static let maxEntries = 512

    public init(file: String) { self.file = file }

    /// `$XDG_CACHE_HOME/aloft` or `~/.cache/aloft` (none without either), beside the probe's verdicts.
    public static func standard(environment: [String: String]) -> DescriptorCache? {
        if let dir = environment["XDG_CACHE_HOME"], dir.hasPrefix("/") {
            return DescriptorCache(file: dir + "/aloft/plugin-descriptors.json")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return DescriptorCache(file: home + "/.cache/aloft/plugin-descriptors.json")
    }

    public struct Key: Hashable, Sendable {
        let text: String

        public init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            text = "\(path)|\(info.st_dev)|\(info.st_ino)|\(info.st_size)|\(mtime)|\(AloftVersion.string)"
        }
    }

    /// The entry's key for whether the plugin checks tasks (absent: never initialized since it was cached).
    static let checksTasksField = "host_checks_tasks"

    public func descriptor(for key: Key) -> PluginDescriptor? {
        entry(key).flatMap(PluginDescriptor.init(json:))
    }

    /// Whether the file's plugin offered the task-check extension when it was last initialized; nil when no
    /// host initialized it since its descriptor was cached.
    public func checksTasks(for key: Key) -> Bool? {
        entry(key)?[Self.checksTasksField]?.boolValue
    }

    private func entry(_ key: Key) -> JSON? {
        entries.withLock { cached in
            if cached == nil { cached = Self.read(file) }
            return cached?[key.text]
        }
    }

    /// Records descriptors read from their files (with whether the plugin checks tasks, once initialized),
    /// merged with what other hosts wrote meanwhile.
    public func record(_ new: [(key: Key, descriptor: PluginDescriptor, checksTasks: Bool?)]) {
        guard !new.isEmpty else { return }
        entries.withLock { cached in
            var all = Self.read(file).filter { Self.fileExists(ofKey: $0.key) }
            for (key, descriptor, checks) in new {
                var entry = descriptor.json
                if let checks, case .object(var members) = entry {
                    members[Self.checksTasksField] = .bool(checks)
                    entry = .object(members)
                }
                all[key.text] = entry
            }
            if all.count > Self.maxEntries {
                let keep = Set(new.map(\.key.text))
                for k in all.keys.sorted().prefix(all.count - Self.maxEntries) where !keep.contains(k) { all[k] = nil }
            }
            cached = all
            Self.write(all, to: file)
        }
    }

    private static func read(_ file: String) -> [String: JSON] {
        guard let data = FileManager.default.contents(atPath: file),
            let object = (try? JSONParser.parse(data))?.objectValue
        else { return [:] }
        return object
    }

    /// Whether the plugin file a key names is still there (the key is the path and five `|`-separated fields).
    static func fileExists(ofKey key: String) -> Bool {
        let fields = key.split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count >= 6 else { return false }
        return access(fields.dropLast(5).joined(separator: "|"), F_OK) == 0
    }

    private static func write(_ entries: [String: JSON], to file: String) {
        let data = Data(JSONWriter.encode(.object(entries)))
        let dir = PathString.parent(file)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A cache that cannot be written only costs a dlopen per plugin file.
        try? data.write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}
