import AloftSystem
import Foundation
import Testing

/// PathString answers what NSString's path methods answered where Aloft used them (NSString is Foundation's;
/// the host's modules use FoundationEssentials alone).
@Suite(.timeLimit(.minutes(5))) struct PathStringTests {
    static let paths = [
        "/a/b/c", "/a/b/", "/a", "/", "a/b", "", "a/b.yaml", "/x/y.tar.gz", ".hidden", "/a/.b", "..", "./a",
    ]

    @Test(arguments: paths) func parentAndLastComponentAreNSStrings(_ path: String) {
        #expect(PathString.parent(path) == (path as NSString).deletingLastPathComponent, "\(path)")
        #expect(PathString.lastComponent(path) == (path as NSString).lastPathComponent, "\(path)")
        #expect(PathString.deletingExtension(path) == (path as NSString).deletingPathExtension, "\(path)")
    }

    /// Where NSString crashes (a single relative component's parent) or rewrites the path ("//").
    @Test func pathsNSStringGetsWrong() {
        #expect(PathString.parent("a") == "")
        #expect(PathString.lastComponent("a") == "a")
        #expect(PathString.parent("/a//b") == "/a")
        #expect(PathString.lastComponent("/a//b") == "b")
    }

    @Test func appendingIsNSStrings() {
        for (a, b) in [("a", "b"), ("a/", "b"), ("/", "b"), ("", "b"), ("a", ""), ("/a/b", "c/d")] {
            #expect(PathString.appending(a, b) == (a as NSString).appendingPathComponent(b), "\(a) + \(b)")
        }
        #expect(PathString.appending("a", "/b") == "a/b")  // NSString: "a//b"
    }

    @Test func standardizedRemovesDotsAndExpandsTheTilde() {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        #expect(PathString.standardized("/a/./b/../c/") == "/a/c")
        #expect(PathString.standardized("/../a") == "/a")
        #expect(PathString.standardized("a/../../b") == "../b")
        #expect(PathString.expandingTilde("~/x") == home + "/x")
        #expect(PathString.expandingTilde("~") == home)
        #expect(PathString.expandingTilde("/~/x") == "/~/x")
        #expect(PathString.standardized("~/a/../b") == home + "/b")
    }

    @Test func symlinksAreResolved() throws {
        let dir = NSTemporaryDirectory() + "aloft-paths-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/real")
        let real = (dir as NSString).resolvingSymlinksInPath + "/real"
        #expect(PathString.resolvingSymlinks(dir + "/link") == real)
        #expect(PathString.resolvingSymlinks(dir + "/missing/../real") == PathString.standardized(dir + "/real"))
    }
}
