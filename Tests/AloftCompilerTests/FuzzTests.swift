import AloftCompiler
import Foundation
import LocatedYAML
import Testing

/// Mutates good specs many times and compiles each result: the compiler must only ever return a spec or
/// diagnostics (a trap would end the test process). Deterministic: a fixed seed, so a failure reproduces.
@Suite struct FuzzTests {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet = Array(" \n\t:-{}[],\"'$.#&*!|>?%@`0123456789aeinrstxyz<>_=\\".unicodeScalars)
    static let tokens = [
        "$", "$$", "$inputs.", "{{", "}}", "list<", "map<", "optional<", "union<", "enum{", ": ", "- ", "\n  ", "\n",
        "[", "]", "{", "}", "null", "true", "-1", "1e309", "&a", "*a", "!!int", "'", "\"", "\\u0000", "id: x", "task: ",
        "branch:", "map:", "over: ", "if: ", "else: ", "nodes:", "inputs:", "outputs:", "type: echo",
    ]

    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var s = Array(text.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !s.isEmpty else { break }
            let i = Int.random(in: 0..<s.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: s.remove(at: i)
            case 1: s.insert(alphabet.randomElement(using: &rng)!, at: i)
            case 2: s.insert(contentsOf: tokens.randomElement(using: &rng)!.unicodeScalars, at: i)
            case 3: s[i] = alphabet.randomElement(using: &rng)!
            case 4:  // duplicate a stretch (repeated keys, nodes, brackets)
                let j = min(s.count, i + Int.random(in: 1...40, using: &rng))
                s.insert(contentsOf: s[i..<j], at: j)
            default:  // delete a stretch
                let j = min(s.count, i + Int.random(in: 1...30, using: &rng))
                s.removeSubrange(i..<j)
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s)
        return String(out)
    }

    @Test func mutatedSpecsNeverTrap() throws {
        let seeds =
            try Paths.files(Paths.examples, ext: ".yaml").map { try String(contentsOfFile: $0, encoding: .utf8) }
            + Paths.files(Paths.corpus + "/bad", ext: ".yaml").prefix(10).map {
                try String(contentsOfFile: $0, encoding: .utf8)
            }
        var rng = SplitMix64(state: 0xA10F7)
        let iterations = ProcessInfo.processInfo.environment["ALOFT_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 4000
        var withErrors = 0
        for n in 0..<iterations {
            let text = Self.mutate(seeds[n % seeds.count], &rng)
            let result = compiler.compile(text: text, path: Paths.examples + "/fuzz.yaml")
            if result.spec == nil {
                withErrors += 1
                #expect(!result.diagnostics.isEmpty, "no spec and no diagnostics for:\n\(text)")
            }
            for d in result.diagnostics {
                #expect(d.location.line >= 0 && d.location.column >= 0)
                #expect(!d.message.isEmpty)
            }
        }
        // The mutations really break specs (the test is not vacuous).
        #expect(withErrors > iterations / 2)
    }
}
