import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// The C kit (aloft/kit.h), compiled with strict warnings and run on a context document outside any host:
/// inputs read as typed values come back as the same literals, awkward questions get the documented answers.
@Suite struct CKitTests {
    static let source = Fixtures.repoRoot.path + "/Tests/PluginSDKTests/Fixtures/kit_probe.c"

    func probe(_ context: String) throws -> (Command.Ended, LiteralMap?) {
        let dir = try TemporaryDirectory("kit-probe")
        defer { dir.remove() }
        let cc = ProcessInfo.processInfo.environment["CC"] ?? "cc"
        let build = try Command.run([
            cc, "-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Wconversion", "-Werror",
            "-I", Fixtures.include, Self.source, "-o", dir.path + "/kit_probe",
        ])
        guard build.succeeded else { return (build, nil) }
        try context.write(toFile: dir.path + "/context.json", atomically: true, encoding: .utf8)
        let run = try Command.run(
            ["sh", "-c", "'\(dir.path)/kit_probe' < '\(dir.path)/context.json'"], limit: .seconds(30))
        return (run, run.succeeded ? try LiteralMap(bytes: Array(run.stdout.utf8)) : nil)
    }

    @Test(.timeLimit(.minutes(5)))
    func inputsReadAsTypedValuesComeBackAsTheSameLiterals() throws {
        let inputs: LiteralMap = [
            "i": .integer(.min), "big": .integer(.max), "f": .float(0.1), "sum": .float(0.1 + 0.2),
            "tiny": .float(1e-7),
            "huge": .float(1e300), "whole": .float(3.0), "negzero": .float(-0.0), "nan": .float(.nan),
            "inf": .float(-.infinity),
            "s": .string("héllo \"q\" \\ \n\t\u{1} 😀"), "b": .boolean(true), "off": .boolean(false), "n": .none,
            "list": .list([.integer(1), .string("x")]), "map": .map(["k": .float(0.5)]),
        ]
        // A float written as an integer and a string written with \u escapes, as other writers may do.
        let context = """
            {"execution":{"attempt":2},"inputs":\(String(decoding: inputs.canonicalBytes, as: UTF8.self).dropLast()),\
            "one":{"float":1},"esc":{"string":"\\u00e9\\ud83d\\ude00\\/"}},\
            "task":{"config":{"delay_ms":250},"interface":{"outputs":{}}},"version":1}
            """
        let (run, outputs) = try probe(context)
        let map = try #require(outputs, "\(run)")
        for (name, literal) in inputs {
            if case .float(let expected) = literal, expected.isNaN {
                guard case .float(let got) = map[name], got.isNaN else {
                    Issue.record("\(name): \(String(describing: map[name]))")
                    continue
                }
            } else {
                #expect(map[name] == literal, "\(name)")
            }
        }
        if case .float(let zero) = map["negzero"] { #expect(zero.sign == .minus) }
        #expect(map["one"] == .float(1.0))
        #expect(map["esc"] == .string("é😀/"))
        #expect(map["_missing"] == .integer(1))  // ALOFT_KIT_MISSING
        #expect(map["_wrong_kind"] == .integer(2))  // ALOFT_KIT_WRONG_KIND
        #expect(map["_too_small"] == .integer(4))  // ALOFT_KIT_TOO_SMALL
        #expect(map["_needed"] == .integer(Int64("héllo \"q\" \\ \n\t\u{1} 😀".utf8.count)))
        #expect(map["_config_delay"] == .integer(250))
        #expect(map["_id"] == .string("probe-1-n-2-abc"))
    }

    @Test(.timeLimit(.minutes(5)))
    func errorsAndBuffersFollowTheOwnershipRules() throws {
        let (run, outputs) = try probe(#"{"inputs":{}}"#)
        let map = try #require(outputs, "\(run)")
        #expect(map["_error_status"] == .integer(1))  // ALOFT_ERROR
        #expect(map["_error_code"] == .string("Bad"))
        #expect(map["_error_message"] == .string("input x is 42"))
        #expect(map["_released"] == .boolean(true))
        #expect(map["_small_error_untouched"] == .boolean(true))
        #expect(map["_empty_buffer"] == .boolean(true))
    }

    /// aloft_kit_context_read reads the document in one pass: its members in any order, unknown ones (however
    /// nested) skipped, the first of a repeated member used; a document without inputs, or malformed, is refused.
    @Test(.timeLimit(.minutes(5)))
    func theContextIsReadInOnePassWhateverTheOrderOfItsMembers() throws {
        let context =
            #"{"version":1,"task":{"interface":{"inputs":{"x":"integer"},"outputs":{"x":"integer"}},"name":"t","#
            + #""config":{"delay_ms":7}},"extra":[{"a":[1,2,{"b":null}]},"s\"}"],"inputs":{"x":{"integer":5}},"#
            + #""inputs":{"x":{"integer":6}},"execution":{"attempt":0}}"#
        let (run, outputs) = try probe(context)
        let map = try #require(outputs, "\(run)")
        #expect(map["x"] == .integer(5))  // the first "inputs"
        #expect(map["_config_delay"] == .integer(7))
        #expect(try probe(#"{"task":{"config":{}}}"#).0.status == 2)  // no inputs
        #expect(try probe(#"{"inputs":{},"task":{"config":}}"#).0.status == 2)  // malformed task
        #expect(try probe(#"{"inputs":{},"task":"t"}"#).0.status == 2)  // a task that is not an object
    }

    /// A string ends at the first quote not escaped by an odd run of backslashes, wherever the runs are.
    @Test(.timeLimit(.minutes(5)))
    func stringsEndAtTheirFirstUnescapedQuote() throws {
        for skipped in [#""""#, #""\"""#, #""\\""#, #""a\\\"b""#, #""\\\\""#, #""\"\"\\""#, #""x\\\\\"y\\""#] {
            let context = #"{"note":"# + skipped + #","inputs":{"x":{"integer":5}},"also":["# + skipped + "]}"
            let (run, outputs) = try probe(context)
            #expect(try #require(outputs, "\(skipped): \(run)")["x"] == .integer(5), "\(skipped)")
        }
        // A string whose last quote is escaped never ends: the document is malformed.
        for unterminated in [#""abc\""#, #""\\\""#, #""\"#] {
            #expect(try probe(#"{"inputs":{},"note":"# + unterminated + "}").0.status == 2, "\(unterminated)")
        }
    }
}
