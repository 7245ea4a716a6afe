import AloftEngine
import AloftSystem
import AloftWire
import FoundationEssentials
import Glibc
import Hummingbird

/// A value for download: a scalar as `{"name", "value"}` (Aloft Literal JSON); a file blob or dataset as
/// its bytes, streamed in chunks from the blob store; a file inside a directory blob with `?path=`. Only
/// objects inside the server's blob store are served: a URI elsewhere (a user's own `file:///etc/...`
/// input), a `..` or absolute `path`, or a symlink that leaves the store is refused.
struct BlobDownload {
    let blobs: any BlobStore
    static let chunk = 64 * 1024
    /// A ranged GET per this many bytes: large enough that a request's cost is small beside its transfer.
    static let s3Chunk = 1 << 20

    func respond(_ value: Literal, name: String, path: String?) throws -> Response {
        let uri: String
        var directory = false
        switch value {
        case .blob(let b):
            uri = b.uri
            directory = b.type.dimensionality == .directory
        case .dataset(let d): uri = d.uri
        default:
            if path != nil { throw APIError.badRequest("\(name) is not a blob; path applies to directory blobs only") }
            return JSONResponse.make(.object(["name": .string(name), "value": value.json]))
        }
        var target = uri
        if let path {
            guard directory else {
                throw APIError.badRequest("\(name) is a single file; path applies to directory blobs only")
            }
            try Self.checkRelative(path)
            target = (uri.hasSuffix("/") ? uri : uri + "/") + path
        } else if directory {
            throw APIError.badRequest("\(name) is a directory blob (\(uri)); give ?path=FILE for one of its files")
        }
        guard target.hasPrefix(blobs.rootURI) else {
            throw APIError.notFound("\(name) is stored outside this server's blob store; it is not served")
        }
        if let local = blobs as? LocalBlobStore { return try stream(local, target, name: name) }
        if let s3 = blobs as? S3BlobStore { return try stream(s3, target, name: name) }
        do {
            return Self.octets(ByteBuffer(bytes: try blobs.get(target)))
        } catch let e as BlobStoreError {
            throw APIError.notFound("\(name): \(Self.say(e))")
        }
    }

    /// A relative path of plain components: no `..`, `.`, empty component, backslash or leading `/`.
    static func checkRelative(_ path: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0"),
            parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else {
            throw APIError.badRequest(
                "path \"\(path)\" must be relative to the directory, without \"..\", \".\" or empty parts",
                fields: ["path": "not a plain relative path"])
        }
    }

    private func stream(_ store: LocalBlobStore, _ uri: String, name: String) throws -> Response {
        let file: String
        do { file = try store.path(of: uri) } catch let e as BlobStoreError {
            throw APIError.notFound("\(name): \(Self.say(e))")
        }
        var info = stat()
        guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, let handle = ReadableFile(path: file)
        else {
            throw APIError.notFound("\(name): no such file in the blob store")
        }
        let size = Int(info.st_size)
        let body = ResponseBody(contentLength: size) { writer in
            defer { handle.close() }
            var bytes = try handle.read(upTo: Self.chunk)
            while !bytes.isEmpty {
                try await writer.write(ByteBuffer(bytes: bytes))
                bytes = try handle.read(upTo: Self.chunk)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
    }

    /// An S3 object in ranged GETs of `s3Chunk` bytes, each written before the next is read: the server
    /// never holds more than one chunk of it. Its size (HEAD) is known first, so a missing object is a 404.
    private func stream(_ store: S3BlobStore, _ uri: String, name: String) throws -> Response {
        let size: Int
        do { size = try store.size(uri) } catch let e as BlobStoreError {
            throw APIError.notFound("\(name): \(Self.say(e))")
        }
        let body = ResponseBody(contentLength: size) { writer in
            var offset = 0
            while offset < size {
                let bytes = try store.read(uri, range: offset..<min(size, offset + Self.s3Chunk))
                guard !bytes.isEmpty else { break }  // shortened meanwhile: the length sent is not reached
                try await writer.write(ByteBuffer(bytes: bytes))
                offset += bytes.count
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
    }

    private static func octets(_ buffer: ByteBuffer) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody(byteBuffer: buffer))
    }

    /// What the client is told: never the server's own paths.
    private static func say(_ e: BlobStoreError) -> String {
        switch e {
        case .outsideStore: return "stored outside this server's blob store; not served"
        case .notFound: return "no such object in the blob store"
        case .io: return "the blob store could not read it"
        }
    }
}
