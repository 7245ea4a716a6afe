import AloftCompiler
import Foundation
import LocatedYAML
import Testing

/// Each wrong spec in Corpus/bad produces exactly the diagnostics in its .expected file (positions and
/// words), all of them at once.
@Suite struct ErrorCorpusTests {
    static let cases = Paths.files(Paths.corpus + "/bad", ext: ".yaml")

    @Test func theCorpusIsLargeEnough() {
        #expect(Self.cases.count >= 30)
    }

    @Test(arguments: cases)
    func producesExactlyTheExpectedErrors(path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let expected = try String(
            contentsOfFile: path.replacingOccurrences(of: ".yaml", with: ".expected"), encoding: .utf8
        )
        .split(separator: "\n").map(String.init)
        let result = compiler.compile(files: [path])
        #expect(result.spec == nil)
        let actual = result.diagnostics.map {
            "\($0.location.line):\($0.location.column): error: \($0.message)".replacingOccurrences(
                of: dir, with: "$DIR")
        }
        #expect(actual == expected)
        for d in result.diagnostics { #expect(d.location.file == path || d.location.file.hasPrefix(dir)) }
    }
}
