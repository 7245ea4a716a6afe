import AloftWire
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKind() throws {
        let v = try JSONParser.parse(#"{"a":[1,-2,3.5,1e3,true,false,null,"x\n\u00e9\ud83d\ude00"],"b":{}}"#)
        #expect(
            v["a"]
                == .array([
                    .integer(1), .integer(-2), .float(3.5), .float(1000), .bool(true), .bool(false), .null,
                    .string("x\né😀"),
                ]))
        #expect(v["b"] == .object([:]))
    }

    @Test func keepsInt64ExactAndPromotesBeyond() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .integer(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .integer(.min))
        #expect(try JSONParser.parse("9223372036854775808") == .float(9223372036854775808))
    }

    @Test(arguments: [
        ("{\"a\":1,}", "1:8: expected a string key, found '}'"),
        ("[1,2", "1:5: expected ',' or ']' in array, found end of input"),
        ("{\"a\":1,\"a\":2}", "1:8: duplicate key \"a\""),
        ("01", "1:2: leading zero in number"),
        ("\"\\x\"", "1:3: invalid escape '\\x' in string"),
        ("\"\\ud800\"", "1:8: unpaired surrogate \\ud800 in string"),
        ("{\n  \"a\": tru\n}", "2:8: unexpected 't', expected a value"),
        ("[1] 2", "1:5: unexpected '2' after the JSON value"),
        ("\"a\u{01}\"", "1:3: control character 0x01 in string (escape it)"),
        ("", "1:1: unexpected end of input, expected a value"),
    ])
    func rejectsWithPlace(input: String, message: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(input) }
        do { _ = try JSONParser.parse(input) } catch { #expect(error.description == message) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        do {
            _ = try JSONParser.parse(deep)
            Issue.record("deep nesting accepted")
        } catch {
            #expect(error.reason == "nesting deeper than 256 levels")
        }
    }
}

@Suite struct CanonicalWriterTests {
    @Test func sortsKeysByBytesAndDropsWhitespace() throws {
        let a = try JSONParser.parse(#"{ "b": 1, "a": {"z": [1, 2], "é": null, "Z": true} }"#)
        #expect(JSONWriter.string(a) == #"{"a":{"Z":true,"z":[1,2],"é":null},"b":1}"#)
    }

    @Test func sameValueSameBytesWhateverTheInputOrder() throws {
        let x = try JSONParser.parse(#"{"k1":{"a":1,"b":2},"k2":[3]}"#)
        let y = try JSONParser.parse("{ \"k2\" : [ 3 ] ,\n \"k1\" : { \"b\" : 2 , \"a\" : 1 } }")
        #expect(JSONWriter.encode(x) == JSONWriter.encode(y))
    }

    @Test func escapesMinimallyAndRoundTrips() throws {
        let s = JSON.string("q\"b\\n\n\u{1}é/")
        let text = JSONWriter.string(s)
        #expect(text == #""q\"b\\n\n\u0001é/""#)
        #expect(try JSONParser.parse(text) == s)
    }

    /// The writer tells strings that need escaping eight bytes at a time: every byte value, at every place of
    /// strings long enough for whole words and a tail, escaped exactly as byte by byte.
    @Test func everyByteThatNeedsEscapingIsFoundWhereverItIs() throws {
        func byByte(_ bytes: [UInt8]) -> String {
            var out = "\""
            for b in bytes {
                switch b {
                case UInt8(ascii: "\""): out += "\\\""
                case UInt8(ascii: "\\"): out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                case 0x08: out += "\\b"
                case 0x0C: out += "\\f"
                case 0..<0x20: out += "\\u00" + (b < 0x10 ? "0" : "") + String(b, radix: 16)
                default: out.unicodeScalars.append(Unicode.Scalar(b))
                }
            }
            return out + "\""
        }
        for length in [1, 7, 8, 9, 17, 24] {
            for place in 0..<length {
                for value in 0...0x7F {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[place] = UInt8(value)
                    let string = String(decoding: bytes, as: UTF8.self)
                    #expect(JSONWriter.string(.string(string)) == byByte(bytes), "\(value) at \(place) of \(length)")
                }
            }
        }
        // Multi-byte characters (bytes of 0x80 and above) beside the bytes to escape.
        let mixed = "é\"ü\u{1}日本語\\😀" + String(repeating: "ß", count: 9) + "\n"
        #expect(try JSONParser.parse(JSONWriter.string(.string(mixed))) == .string(mixed))
        #expect(JSONWriter.string(.string("日本語ßéü😀abcdefgh")) == "\"日本語ßéü😀abcdefgh\"")
    }

    @Test func floatsRoundTripExactly() throws {
        for d in [0.1, 1.0, -2.5e-300, 1.7976931348623157e308, Double.leastNonzeroMagnitude, 123456.789] {
            #expect(try JSONParser.parse(JSONWriter.string(.float(d))) == .float(d))
        }
    }
}
