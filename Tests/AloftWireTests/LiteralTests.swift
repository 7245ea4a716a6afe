import AloftWire
import Testing

@Suite struct LiteralWireTests {
    static let samples: [(Literal, String)] = [
        (.none, #"{"none":null}"#),
        (.integer(-42), #"{"integer":-42}"#),
        (.float(0.5), #"{"float":0.5}"#),
        (.float(.infinity), #"{"float":"Infinity"}"#),
        (.string("héllo"), #"{"string":"héllo"}"#),
        (.boolean(true), #"{"boolean":true}"#),
        (.datetime(Timestamp(seconds: 1_795_000_000, nanos: 500_000_000)), #"{"datetime":"2026-11-18T11:06:40.5Z"}"#),
        (.duration(.seconds(90) + .milliseconds(250)), #"{"duration":"90.25s"}"#),
        (.binary([0, 1, 2, 255]), #"{"binary":"AAEC/w=="}"#),
        (.structure(["k": .array([.integer(1)])]), #"{"struct":{"k":[1]}}"#),
        (
            .blob(BlobValue(uri: "file:///d/x.csv", type: BlobType(format: "csv"))),
            #"{"blob":{"dimensionality":"file","format":"csv","uri":"file:///d/x.csv"}}"#
        ),
        (
            .dataset(DatasetValue(uri: "s3://b/t", format: "parquet")),
            #"{"dataset":{"format":"parquet","uri":"s3://b/t"}}"#
        ),
        (.list([.integer(1), .integer(2)]), #"{"list":[{"integer":1},{"integer":2}]}"#),
        (.map(["b": .boolean(false), "a": .none]), #"{"map":{"a":{"none":null},"b":{"boolean":false}}}"#),
        (.enumeration("red"), #"{"enum":"red"}"#),
    ]

    @Test(arguments: samples.indices)
    func encodesCanonicallyAndDecodesBack(index: Int) throws {
        let (literal, wire) = Self.samples[index]
        #expect(JSONWriter.string(literal.json) == wire)
        #expect(try Literal(json: JSONParser.parse(wire)) == literal)
    }

    @Test func nanSurvivesTheTrip() throws {
        guard case .float(let d) = try Literal(json: JSONParser.parse(#"{"float":"NaN"}"#)) else {
            Issue.record("not a float")
            return
        }
        #expect(d.isNaN)
    }

    @Test(arguments: [
        (#"{"integer":1.5}"#, "integer: expected an integer, found number"),
        (
            #"{"integer":1,"string":"x"}"#,
            "a literal is an object with exactly one key naming its kind, e.g. {\"integer\": 1}"
        ),
        (#"{"list":[{"integer":1},{"bogus":2}]}"#, "list[1]: unknown literal kind \"bogus\""),
        (
            #"{"datetime":"2026-02-30T00:00:00Z"}"#,
            "datetime: \"2026-02-30T00:00:00Z\" is not an RFC 3339 date-time like 2026-11-25T06:00:00Z"
        ),
        (#"{"duration":"5m"}"#, "duration: \"5m\" is not a duration in seconds like \"1.5s\""),
        (#"{"binary":"AAE"}"#, "binary: not valid padded base64"),
        (#"{"blob":{"format":"csv"}}"#, "blob: a blob needs a \"uri\""),
        (#"{"map":{"a":{"none":1}}}"#, "map.a.none: expected null, found integer"),
    ])
    func rejectsWithPath(wire: String, message: String) throws {
        let json = try JSONParser.parse(wire)
        #expect(throws: WireError.self) { try Literal(json: json) }
        do { _ = try Literal(json: json) } catch { #expect(error.description == message) }
    }

    @Test func timestampsParseOffsetsAndPrintUTC() throws {
        let t = try #require(Timestamp(rfc3339: "2026-11-25T07:30:00.123+01:30"))
        #expect(t.rfc3339 == "2026-11-25T06:00:00.123Z")
        #expect(Timestamp(seconds: -1).rfc3339 == "1969-12-31T23:59:59Z")
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp(rfc3339: "2023-02-29T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "2026-11-25T24:00:00Z") == nil)
    }

    @Test func durationsRoundTrip() {
        for d: Duration in [.zero, .seconds(-3), .nanoseconds(-1), .nanoseconds(1_500_000_001), .seconds(86_400)] {
            #expect(Duration(aloftWireString: d.aloftWireString) == d)
        }
        #expect(Duration.nanoseconds(-1).aloftWireString == "-0.000000001s")
    }

    @Test func base64MatchesRFC4648Vectors() {
        let vectors = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }
}

@Suite struct TypeWireTests {
    @Test func typesRoundTrip() throws {
        let types: [LiteralType] = [
            .integer, .structure, .optional(.string), .list(.map(.float)), .enumeration(["a", "b"]),
            .blob(BlobType(format: "csv", dimensionality: .directory)),
            .dataset(DatasetType(format: "parquet", columns: [.init(name: "age", type: .integer)])),
            .union([.integer, .string]),
        ]
        for t in types { #expect(try LiteralType(json: JSONParser.parse(JSONWriter.string(t.json))) == t) }
    }

    @Test func optionalIsUnionWithNone() throws {
        #expect(try LiteralType(json: JSONParser.parse(#"{"optional":"string"}"#)) == .union([.string, .none]))
        #expect(LiteralType.optional(.string).description == "optional<string>")
    }

    @Test func conformanceChecksDeeply() {
        #expect(
            Literal.list([.integer(1), .string("x")]).mismatch(against: .list(.integer))
                == "value[1]: expected integer, got string")
        #expect(Literal.none.mismatch(against: .optional(.integer)) == nil)
        #expect(
            Literal.enumeration("blue").mismatch(against: .enumeration(["red"])) == "value: \"blue\" is not one of red")
        let outputs: LiteralMap = ["a": .integer(1), "extra": .none]
        #expect(
            outputs.mismatches(against: ["a": .float, "b": .string]) == [
                "a: expected float, got integer", "b: missing (expected string)",
                "extra: not declared in the interface",
            ])
        // The answer without problems (checked first, without sorting), and each kind of problem alone.
        let types: [String: LiteralType] = ["a": .integer, "o": .optional(.string)]
        #expect((["a": .integer(1)] as LiteralMap).mismatches(against: types).isEmpty)
        #expect((["a": .integer(1), "o": .string("x")] as LiteralMap).mismatches(against: types).isEmpty)
        #expect((["a": .string("1")] as LiteralMap).mismatches(against: types) == ["a: expected integer, got string"])
        #expect(([:] as LiteralMap).mismatches(against: types) == ["a: missing (expected integer)"])
        #expect(
            (["a": .integer(1), "z": .none] as LiteralMap).mismatches(against: types) == [
                "z: not declared in the interface"
            ])
    }
}

@Suite struct TaskContextTests {
    @Test func roundTripsAndKeepsUnknownTemplateFields() throws {
        let context = TaskContext(
            taskExecutionID: "ex-n1-0",
            identity: ExecutionIdentity(project: "p", domain: "development", execution: "ex", node: "n1", attempt: 0),
            task: TaskTemplate(
                name: "t", version: "v1", type: "echo",
                interface: TaskInterface(inputs: ["x": .integer], outputs: ["x": .integer]),
                config: .object(["delay_ms": .integer(5)]), secrets: ["s"],
                extra: ["container": .object(["image": .string("busybox")])]),
            inputs: ["x": .integer(7)], outputPrefix: "file:///tmp/out/")
        let decoded = try TaskContext(bytes: context.encoded())
        #expect(decoded == context)
        #expect(decoded.task.extra["container"]?["image"] == .string("busybox"))
    }

    @Test func namesTheFieldThatIsWrong() throws {
        let doc =
            #"{"version":1,"task_execution_id":"x","execution":{"project":"p","domain":"d","name":"e","node":"n","attempt":0},"task":{"name":"t","type":"echo","interface":{"inputs":{"a":"intger"}}},"inputs":{},"output_prefix":"/"}"#
        do {
            _ = try TaskContext(bytes: Array(doc.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.description == "task.interface.inputs.a: unknown type \"intger\"")
        }
    }
}

/// The direct encoder must give exactly the bytes of the tree encoder.
@Suite struct DirectEncodingTests {
    @Test func literalsMatchTheTreeEncoding() {
        var all = LiteralWireTests.samples.map(\.0)
        all.append(.list(all))
        all.append(.map(["z": .list(all), "a": .string("q\"\n"), "é": .none, "Z": .float(-0.0)]))
        for literal in all {
            var w = JSONWriter()
            w.write(literal)
            #expect(w.bytes == JSONWriter.encode(literal.json))
        }
    }

    @Test func typesAndContextsMatchTheTreeEncoding() {
        let types: TypeMap = [
            "b": .list(.optional(.map(.blob(BlobType(format: "csv"))))), "a": .enumeration(["x"]),
            "c": .dataset(DatasetType(format: "parquet", columns: [.init(name: "n", type: .float)])),
            "d": .union([.integer, .string]),
        ]
        var w = JSONWriter()
        w.write(typeMap: types)
        #expect(w.bytes == JSONWriter.encode(types.json))
        // Unknown fields before, between and after the known ones, one shadowing a known field (the known one
        // wins), and keys whose UTF-8 order differs from Swift's `<`.
        let extras: [[String: JSON]] = [
            [:], ["container": .object(["image": .string("x")]), "zzz": .null], ["a": .integer(1)],
            ["j": .bool(true), "s": .string("t"), "u": .array([])], ["name": .string("shadow"), "config": .null],
            ["Z": .integer(2), "é": .string("e"), "version2": .null],
        ]
        for extra in extras {
            let context = TaskContext(
                taskExecutionID: "t-1",
                identity: ExecutionIdentity(project: "p", domain: "d", execution: "e", node: "n", attempt: 2),
                task: TaskTemplate(
                    name: "t", version: "v", type: "echo",
                    interface: TaskInterface(inputs: types, outputs: ["o": .string]),
                    config: .object(["k": .integer(1)]), secrets: ["s1", "s2"], extra: extra),
                inputs: ["o": .string("x"), "a": .enumeration("x")], outputPrefix: "file:///o/")
            #expect(context.encoded() == JSONWriter.encode(context.json))
            // A template encoded once and shared by a task's calls gives the same document.
            #expect(context.encoded(template: TaskContext.encodedTemplate(context.task)) == context.encoded())
        }
    }
}

/// A literal map of scalars is read straight from its text (JSONParser.scalarLiteralMap); anything else goes
/// through the JSON tree. Both must accept the same text, make the same literals and fail the same way.
@Suite struct DirectLiteralMapTests {
    static func throughTheTree(_ text: String) -> Result<[String: Literal], WireError> {
        Result { () throws(WireError) in
            let parsed: JSON
            do { parsed = try JSONParser.parse(text) } catch {
                throw WireError(path: "outputs", reason: "not valid JSON: \(error)")
            }
            return try [String: Literal](json: parsed, path: "outputs")
        }
    }

    @Test(arguments: [
        #"{}"#, #" { } "#, #"{"x":{"integer":41}}"#, #"{ "x" : { "integer" : -7 } , "y":{"string":"a\"b\\\u00e9\n"} }"#,
        #"{"f":{"float":1.5e3},"g":{"float":2},"h":{"float":-0.0},"b":{"boolean":true},"c":{"boolean":false}}"#,
        #"{"n":{"none":null},"s":{"string":""},"u":{"string":"日本😀"}}"#, #"{"big":{"integer":9223372036854775807}}"#,
        #"{"nan":{"float":"NaN"},"x":{"integer":1}}"#, #"{"l":{"list":[{"integer":1}]},"x":{"integer":1}}"#,
        #"{"x":{"integer":1},"x":{"integer":2}}"#, #"{"x":{"integer":99999999999999999999}}"#,
        #"{"x":{"integer":1.5}}"#, #"{"x":{"integer":"1"}}"#, #"{"x":{"string":1}}"#, #"{"x":{"boolean":null}}"#,
        #"{"x":{"none":0}}"#, #"{"x":{"integer":1,"float":2}}"#, #"{"x":{}}"#, #"{"x":{"kind":1}}"#, #"{"x":1}"#,
        #"{"x":{"integer":1}} trailing"#, #"{"x":{"integer":01}}"#, #"{"x":{"integer":1},}"#, #"[1]"#, #""#,
        #"{"x":{"integer":1}"#, #"{"x":{"string":"\ud800"}}"#, #"{"x":{"integer":-}}"#, #"{"x":{"boolean":tru}}"#,
        #"{"d":{"duration":"1.5s"},"t":{"datetime":"2026-11-25T06:00:00Z"}}"#,
    ])
    func theDirectReadingIsTheTreesReading(_ text: String) {
        let direct = Result { () throws(WireError) in try [String: Literal](bytes: Array(text.utf8), path: "outputs") }
        let tree = Self.throughTheTree(text)
        switch (direct, tree) {
        case (.success(let a), .success(let b)):
            #expect(a.count == b.count)
            for (name, literal) in b {
                // -0.0 == 0.0: compare the bits of floats.
                if case .float(let x) = literal, case .float(let y)? = a[name] {
                    #expect(x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN), "\(name)")
                } else {
                    #expect(a[name] == literal, "\(name)")
                }
            }
        case (.failure(let a), .failure(let b)): #expect(a == b)
        default: Issue.record("direct \(direct), tree \(tree)")
        }
    }
}
