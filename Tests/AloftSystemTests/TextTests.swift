import AloftSystem
import Foundation
import Testing

/// The text helpers write what the Foundation calls they replace wrote.
@Suite(.timeLimit(.minutes(5))) struct TextTests {
    @Test func fixedDecimalsAreStringFormat() {
        for value in [0, 0.05, 0.04999, 1.25, 1.35, 2.5, 12.345, 99.995, 100, 1234.5678, -0.4, -1.25, 3e9] {
            for places in [0, 1, 2] {
                #expect(
                    DecimalText.fixed(value, places: places) == String(format: "%.\(places)f", value),
                    "\(value) to \(places) places")
            }
        }
    }

    /// Exact ties (rounded half to even), values just off a tie, negative zero, subnormals, the largest
    /// doubles and random ones: every digit as printf writes it.
    @Test func fixedDecimalsAreStringFormatAtTheEdges() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [
            0.5, 1.5, 2.5, 0.125, 0.375, 1.005, 2.675, -0.0, -0.001, -0.5, .leastNonzeroMagnitude,
            .leastNormalMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 9_007_199_254_740_992, 1e22, 1e23, 123_456.789,
            .infinity, -.infinity, .nan,
        ]
        for _ in 0..<2_000 {
            values.append(Double(bitPattern: generator.next()))
            values.append(Double.random(in: -1e6...1e6, using: &generator))
        }
        for value in values {
            for places in [0, 1, 2, 3, 6, 17, 18, 19] {
                #expect(
                    DecimalText.fixed(value, places: places) == String(format: "%.\(places)f", value),
                    "\(value.bitPattern) to \(places) places")
            }
        }
    }

    @Test func zeroPaddedAndHexAreStringFormat() {
        for value in [0, 7, 42, 2026, 123_456, -3, -12_345, Int.min, Int.max] {
            for width in [0, 1, 4, 8, 25] {
                #expect(
                    DecimalText.zeroPadded(value, width: width) == String(format: "%0\(width)ld", value),
                    "\(value) in \(width)")
            }
        }
        let bytes: [UInt8] = [0, 1, 15, 16, 127, 128, 255]
        #expect(DecimalText.hex(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
    }

    @Test func trimmingPaddingAndPercentDecoding() {
        #expect(" \t a b \n".trimmingWhitespace() == "a b")
        #expect("   ".trimmingWhitespace() == "")
        #expect("ok".padded(toWidth: 5) == "ok".padding(toLength: 5, withPad: " ", startingAt: 0))
        #expect("succeeded".padded(toWidth: 4) == "succeeded".padding(toLength: 4, withPad: " ", startingAt: 0))
        for s in ["a%20b", "%C3%A9t%C3%A9", "plain", "100%25", "%e2%9c%93"] {
            #expect(s.percentDecoded == s.removingPercentEncoding, "\(s)")
        }
        #expect("bad%2".percentDecoded == nil)
        #expect("%zz".percentDecoded == nil)
        #expect("%FF".percentDecoded == nil)  // not UTF-8
    }

    /// Byte-level replacement finds what Character comparison does not: "\n" inside "\r\n", a secret followed
    /// by a combining mark (which would otherwise leave the secret readable beside the mark).
    @Test func bytesAreReplacedWhereCharactersWouldNotMatch() {
        #expect("a\r\nb".replacingBytes(of: "\n", with: "\\n") == "a\r\\nb")
        #expect("a\r\nb".replacing("\n", with: "\\n") == "a\r\nb")  // why replacingBytes exists
        let leaked = "token=s3cr3t\u{301}"
        #expect(leaked.containsBytes("s3cr3t") && !leaked.contains("s3cr3t"))
        #expect(leaked.replacingBytes(of: "s3cr3t", with: "***") == "token=***\u{301}")
        #expect("aaaa".replacingBytes(of: "aa", with: "b") == "bb")
        #expect("abc".replacingBytes(of: "", with: "x") == "abc")
        #expect("é".replacingBytes(of: "e", with: "x") == "é")  // precomposed: no "e" byte inside
    }

    @Test func alphanumericScalarsAreCharacterSets() {
        for scalar in "aZ09_-. éß一٣\u{301}!@".unicodeScalars {
            #expect(scalar.isAlphanumeric == CharacterSet.alphanumerics.contains(scalar), "\(scalar)")
        }
    }

    @Test func fileErrorsAreNamedAsTheSystemNamesThem() {
        do {
            try "x".write(toFile: "/nonexistent-aloft-dir/x", atomically: false, encoding: .utf8)
            Issue.record("writing into a missing directory succeeded")
        } catch {
            #expect(error.systemText == "No such file or directory", "\(error)")
        }
    }
}
