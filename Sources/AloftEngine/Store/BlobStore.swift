import AloftSystem
import AloftWire
import FoundationEssentials
import Glibc
import Synchronization

/// Where node inputs, outputs and blob values live. URIs name objects; a store refuses URIs outside itself.
public protocol BlobStore: Sendable {
    /// The store's root as a URI prefix (`file:///abs/path/`, `s3://bucket/prefix/`).
    var rootURI: String { get }
    func put(_ bytes: [UInt8], at uri: String) throws
    func get(_ uri: String) throws -> [UInt8]
    func exists(_ uri: String) -> Bool
    /// The URI of a relative path inside the store.
    func uri(_ relativePath: String) throws -> String
}

public enum BlobStoreError: Error, Equatable, CustomStringConvertible {
    case outsideStore(uri: String, root: String)
    case notFound(String)
    case io(String)

    public var description: String {
        switch self {
        case .outsideStore(let uri, let root): return "\(uri) is outside the blob store \(root); refused"
        case .notFound(let uri): return "\(uri): no such object in the blob store"
        case .io(let message): return message
        }
    }
}

/// The embedded default: a directory on the local filesystem. Layout:
/// `<root>/<project>/<domain>/<execution>/<node>/<attempt>/{inputs.json,outputs.json,...}`.
public struct LocalBlobStore: BlobStore {
    public let root: String  // absolute, standardized, no trailing slash
    /// The root with its symlinks resolved, once: where every path must end up.
    private let resolvedRoot: String
    private let madeDirectories = DirectoryMemo()

    public init(root: String) throws {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = URL(fileURLWithPath: absolute).standardizedFileURL.path
        do { try FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true) } catch {
            throw BlobStoreError.io("cannot create the blob store at \(self.root): \(error.systemText)")
        }
        resolvedRoot = URL(fileURLWithPath: self.root).resolvingSymlinksInPath().path
    }

    public var rootURI: String { "file://" + root + "/" }

    /// The directory of one attempt of one node.
    public static func attemptPath(
        project: String, domain: String, execution: String, node: String, attempt: Int
    ) -> String {
        executionPath(project: project, domain: domain, execution: execution) + "/"
            + attemptSubpath(node: node, attempt: attempt)
    }

    /// The directory of one execution's attempts.
    static func executionPath(project: String, domain: String, execution: String) -> String {
        [project, domain, execution].map(safeComponent).joined(separator: "/")
    }

    /// An attempt's directory within its execution's.
    static func attemptSubpath(node: String, attempt: Int) -> String {
        safeComponent(node) + "/" + safeComponent(String(attempt))
    }

    /// Path components never contain `/` or start with `.`, so a node name cannot climb out of the layout.
    static func safeComponent(_ s: String) -> String {
        if !s.isEmpty, !s.utf8.contains(UInt8(ascii: "/")), s.utf8.first != UInt8(ascii: ".") { return s }
        var out = s.replacing("/", with: "_")
        while out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out.isEmpty ? "_" : out
    }

    public func uri(_ relativePath: String) throws -> String {
        let uri = "file://" + root + "/" + relativePath
        _ = try lexicalPath(of: uri)  // symlinks are checked where the path is used (get, put, exists)
        return uri
    }

    /// The local path of a URI inside the store; `..`, symlink tricks in the text and other schemes are refused.
    public func path(of uri: String) throws -> String {
        let path = try lexicalPath(of: uri)
        // A symlink inside the store that points outside it is refused too.
        if FileManager.default.fileExists(atPath: path) {
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot + "/") else {
                throw BlobStoreError.outsideStore(uri: uri, root: rootURI)
            }
        }
        return path
    }

    /// The path a URI names, checked to lie under the root by its text alone (no system calls).
    private func lexicalPath(of uri: String) throws -> String {
        let raw: String
        if uri.hasPrefix("file://") {
            raw = String(uri.dropFirst("file://".count))
        } else if uri.hasPrefix("/") {
            raw = uri
        } else {
            throw BlobStoreError.outsideStore(uri: uri, root: rootURI)
        }
        // Paths the engine builds are already standard: only others pay for URL's standardization.
        let standardized = Self.isStandard(raw) ? raw : URL(fileURLWithPath: raw).standardizedFileURL.path
        guard standardized == root || standardized.hasPrefix(root + "/") else {
            throw BlobStoreError.outsideStore(uri: uri, root: rootURI)
        }
        return standardized
    }

    /// No `//`, no `/.` (so no `.` or `..` component) and no trailing `/`: standard as it is. A byte scan:
    /// Foundation's substring search costs more than the rest of a write.
    static func isStandard(_ path: String) -> Bool {
        var previous: UInt8 = 0
        for b in path.utf8 {
            if previous == UInt8(ascii: "/") && (b == UInt8(ascii: "/") || b == UInt8(ascii: ".")) { return false }
            previous = b
        }
        return previous != UInt8(ascii: "/")
    }

    /// Everything before the last `/`.
    static func parent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(path[..<slash])
    }

    /// Creates the object's directory if needed (mkdir, parents first), with no symlink on the way out of the
    /// store. A directory this store made under a checked one needs no check; one that existed is resolved.
    /// Checked directories are remembered, so later objects in them cost no system call before the write.
    private func ensureDirectory(_ dir: String, uri: String) throws {
        if dir == root || madeDirectories.contains(dir) { return }
        let parent = Self.parent(dir)
        var rc = mkdir(dir, 0o755)
        if rc != 0 && errno == ENOENT && parent.count > root.count {
            try ensureDirectory(parent, uri: uri)
            rc = mkdir(dir, 0o755)
        }
        if rc == 0 && (parent == root || madeDirectories.contains(parent)) {
            // Made just now inside a checked directory: nothing on the way can be a symlink.
        } else if rc == 0 || errno == EEXIST {
            let resolved = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
            guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot + "/") else {
                throw BlobStoreError.outsideStore(uri: uri, root: rootURI)
            }
        } else {
            throw BlobStoreError.io("cannot write \(uri): cannot create \(dir): \(String(cString: strerror(errno)))")
        }
        madeDirectories.insert(dir)
    }

    public func put(_ bytes: [UInt8], at uri: String) throws {
        let p = try lexicalPath(of: uri)
        try ensureDirectory(Self.parent(p), uri: uri)
        do {
            // Write-then-rename: a crash never leaves a half-written object under the final name, and a symlink
            // planted at either name is replaced or refused, never followed (O_EXCL, rename). No fsync: node
            // outputs are committed to the metadata store first; these files are their copies.
            let temporary = p + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw BlobStoreError.io("cannot write \(uri): \(String(cString: strerror(errno)))") }
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == bytes.count else {
                unlink(temporary)
                throw BlobStoreError.io("cannot write \(uri): short write")
            }
            guard rename(temporary, p) == 0 else {
                unlink(temporary)
                throw BlobStoreError.io("cannot write \(uri): \(String(cString: strerror(errno)))")
            }
        } catch {
            throw BlobStoreError.io("cannot write \(uri): \(error.systemText)")
        }
    }

    public func get(_ uri: String) throws -> [UInt8] {
        let p = try path(of: uri)
        guard let data = FileManager.default.contents(atPath: p) else { throw BlobStoreError.notFound(uri) }
        return [UInt8](data)
    }

    public func exists(_ uri: String) -> Bool {
        guard let p = try? path(of: uri) else { return false }
        return FileManager.default.fileExists(atPath: p)
    }
}

/// Directories this process already created: creating them again costs several system calls per write.
final class DirectoryMemo: Sendable {
    private let made = Mutex<Set<String>>([])
    func contains(_ d: String) -> Bool { made.withLock { $0.contains(d) } }
    func insert(_ d: String) { _ = made.withLock { $0.insert(d) } }
}
