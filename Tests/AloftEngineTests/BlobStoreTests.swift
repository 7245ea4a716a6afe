import AloftEngine
import Foundation
import Testing

@Suite struct LocalBlobStoreTests {
    func store() throws -> LocalBlobStore { try LocalBlobStore(root: NSTemporaryDirectory() + "aloft-blobs-\(UUID())") }

    @Test func putGetAndLayout() throws {
        let s = try store()
        let dir = LocalBlobStore.attemptPath(
            project: "p", domain: "development", execution: "ex1", node: "train", attempt: 2)
        #expect(dir == "p/development/ex1/train/2")
        let uri = try s.uri(dir + "/outputs.json")
        #expect(uri == "file://\(s.root)/p/development/ex1/train/2/outputs.json")
        try s.put(Array("{}".utf8), at: uri)
        #expect(try s.get(uri) == Array("{}".utf8))
        #expect(s.exists(uri))
        #expect(throws: BlobStoreError.notFound(uri + ".missing")) { try s.get(uri + ".missing") }
    }

    @Test func urisThatEscapeTheRootAreRefused() throws {
        let s = try store()
        for bad in [
            "file:///etc/passwd", "file://\(s.root)/../x", "\(s.root)/a/../../b", "s3://bucket/key", "relative/path",
            "file://\(s.root)x/y",
        ] {
            #expect(throws: BlobStoreError.outsideStore(uri: bad, root: s.rootURI)) { try s.get(bad) }
            #expect(!s.exists(bad))
        }
        // A symlink planted inside the store that leads outside it.
        try FileManager.default.createSymbolicLink(atPath: s.root + "/link", withDestinationPath: "/etc")
        #expect(throws: BlobStoreError.self) { try s.get("file://\(s.root)/link/passwd") }
        // Nor can a put write through one, into a directory the store has not seen or one it has.
        #expect(throws: BlobStoreError.self) { try s.put([1], at: "file://\(s.root)/link/aloft-blob-test") }
        #expect(!FileManager.default.fileExists(atPath: "/etc/aloft-blob-test"))
        try FileManager.default.createDirectory(atPath: s.root + "/made", withIntermediateDirectories: true)
        try s.put([1], at: "file://\(s.root)/made/x")
        try FileManager.default.removeItem(atPath: s.root + "/made/x")
        try FileManager.default.createSymbolicLink(
            atPath: s.root + "/made/x", withDestinationPath: "/etc/aloft-blob-test")
        try s.put([2], at: "file://\(s.root)/made/x")  // replaces the link, never follows it
        #expect(!FileManager.default.fileExists(atPath: "/etc/aloft-blob-test"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: s.root + "/made/x")) == nil)
        #expect(try s.get("file://\(s.root)/made/x") == [2])
        // Node names cannot climb out of the layout either.
        #expect(
            LocalBlobStore.attemptPath(project: "p", domain: "d", execution: "e", node: "../../x", attempt: 0)
                == "p/d/e/_._.._x/0")
    }
}
