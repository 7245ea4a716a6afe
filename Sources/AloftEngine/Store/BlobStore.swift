import AloftWire
import Foundation

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
    private let madeDirectories = DirectoryMemo()

    public init(root: String) throws {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = URL(fileURLWithPath: absolute).standardizedFileURL.path
        do { try FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true) } catch {
            throw BlobStoreError.io("cannot create the blob store at \(self.root): \(error.localizedDescription)")
        }
    }

    public var rootURI: String { "file://" + root + "/" }

    /// The directory of one attempt of one node.
    public static func attemptPath(project: String, domain: String, execution: String, node: String, attempt: Int) -> String {
        [project, domain, execution, node, String(attempt)].map(safeComponent).joined(separator: "/")
    }

    /// Path components never contain `/` or start with `.`, so a node name cannot climb out of the layout.
    static func safeComponent(_ s: String) -> String {
        var out = s.replacingOccurrences(of: "/", with: "_")
        while out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out.isEmpty ? "_" : out
    }

    public func uri(_ relativePath: String) throws -> String {
        let uri = "file://" + root + "/" + relativePath
        _ = try path(of: uri)
        return uri
    }

    /// The local path of a URI inside the store; `..`, symlink tricks in the text and other schemes are refused.
    public func path(of uri: String) throws -> String {
        let raw: String
        if uri.hasPrefix("file://") { raw = String(uri.dropFirst("file://".count)) } else if uri.hasPrefix("/") { raw = uri } else {
            throw BlobStoreError.outsideStore(uri: uri, root: rootURI)
        }
        let standardized = URL(fileURLWithPath: raw).standardizedFileURL.path
        guard standardized == root || standardized.hasPrefix(root + "/") else {
            throw BlobStoreError.outsideStore(uri: uri, root: rootURI)
        }
        // A symlink inside the store that points outside it is refused too.
        let resolved = URL(fileURLWithPath: standardized).resolvingSymlinksInPath().path
        let resolvedRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        if FileManager.default.fileExists(atPath: standardized), !(resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot + "/")) {
            throw BlobStoreError.outsideStore(uri: uri, root: rootURI)
        }
        return standardized
    }

    public func put(_ bytes: [UInt8], at uri: String) throws {
        let p = try path(of: uri)
        do {
            let dir = (p as NSString).deletingLastPathComponent
            if !madeDirectories.contains(dir) {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                madeDirectories.insert(dir)
            }
            // Write-then-rename: a crash never leaves a half-written object under the final name. No fsync:
            // node outputs are committed to the metadata store first; these files are their copies.
            let temporary = p + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
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
            throw BlobStoreError.io("cannot write \(uri): \(error.localizedDescription)")
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

import Synchronization

/// Directories this process already created: creating them again costs several system calls per write.
final class DirectoryMemo: Sendable {
    private let made = Mutex<Set<String>>([])
    func contains(_ d: String) -> Bool { made.withLock { $0.contains(d) } }
    func insert(_ d: String) { _ = made.withLock { $0.insert(d) } }
}
