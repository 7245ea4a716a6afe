public import Foundation

/// A fresh temporary directory for one test: `let dir = try TemporaryDirectory("label")`, then
/// `defer { dir.remove() }`. Every one is made under this test process's own root
/// ($TMPDIR/aloft-tests-PID), which is removed when the process exits, so a directory a helper hands out
/// (a plugin directory, a harness's scratch) is removed too; roots left by test processes that died are
/// removed by the next run.
public struct TemporaryDirectory: Sendable {
    public let path: String
    public var url: URL { URL(fileURLWithPath: path) }

    public init(_ label: String) throws {
        path = try TemporaryDirectory.make(label)
    }

    /// Removes the directory and everything in it (a test's `defer`).
    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// A new directory under the run's root, named for `label`; its path.
    public static func make(_ label: String) throws -> String {
        let path = try runRoot.get() + "/\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// This process's root for temporary directories, made once (and swept at exit).
    public static let runRoot: Result<String, any Error> = Result {
        let base = FileManager.default.temporaryDirectory.path
        removeRootsOfDeadProcesses(in: base)
        let root = base + "/\(rootPrefix)\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { TemporaryDirectory.removeRunRoot() }
        return root
    }

    private static let rootPrefix = "aloft-tests-"

    private static func removeRunRoot() {
        if case .success(let root) = runRoot { try? FileManager.default.removeItem(atPath: root) }
    }

    private static func removeRootsOfDeadProcesses(in base: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        for name in names where name.hasPrefix(rootPrefix) {
            guard let pid = pid_t(name.dropFirst(rootPrefix.count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? FileManager.default.removeItem(atPath: base + "/" + name)
        }
    }
}
