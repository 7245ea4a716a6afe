import AloftWire
import FoundationEssentials

/// Whether the local files a value points to still exist: reused outputs (a cache hit, a recovered node)
/// whose data was deleted are recomputed instead of failing downstream. Only local files can be checked
/// here; remote URIs are trusted (their stores check on read).
enum LocalBlobCheck {
    static func allExist(_ values: LiteralMap) -> Bool { values.values.allSatisfy(exists) }

    static func exists(_ l: Literal) -> Bool {
        switch l {
        case .blob(let b): return localExists(b.uri)
        case .dataset(let d): return localExists(d.uri)
        case .list(let items): return items.allSatisfy(exists)
        case .map(let m): return m.values.allSatisfy(exists)
        default: return true
        }
    }

    private static func localExists(_ uri: String) -> Bool {
        if uri.hasPrefix("file://") {
            return FileManager.default.fileExists(atPath: String(uri.dropFirst("file://".count)))
        }
        if uri.hasPrefix("/") { return FileManager.default.fileExists(atPath: uri) }
        return true
    }
}
