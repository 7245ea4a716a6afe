import Foundation
import Synchronization

/// The benchmarks' stores: new directories under TMPDIR, removed when the benchmark ends (a 100,000-item map
/// leaves 1.6 GB of node copies), unless ALOFT_BENCH_KEEP_STORES=1: ext4 allocates inodes slowly for a while
/// after a mass deletion (`recently_deleted` scans), so a harness running many benchmarks back to back keeps
/// the stores and removes them all at the end.
enum Scratch {
    private static let made = Mutex<[String]>([])

    static func directory(_ prefix: String) -> String {
        let dir = NSTemporaryDirectory() + "\(prefix)-\(UUID())"
        made.withLock { $0.append(dir) }
        return dir
    }

    static func removeAll() {
        guard ProcessInfo.processInfo.environment["ALOFT_BENCH_KEEP_STORES"] != "1" else { return }
        for dir in made.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: dir) }
    }
}
