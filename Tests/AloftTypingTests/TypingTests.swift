import AloftTyping
import AloftWire
import LocatedYAML
import Testing

@Suite struct TypeSyntaxTests {
    @Test(arguments: [
        ("integer", LiteralType.integer), ("list<map<float>>", .list(.map(.float))),
        ("map<string, boolean>", .map(.boolean)),
        ("optional<list<string>>", .union([.list(.string), .none])),
        ("union<integer, string>", .union([.integer, .string])),
        ("enum{red, green}", .enumeration(["red", "green"])), ("blob<csv>", .blob(BlobType(format: "csv"))),
        ("directory", .blob(BlobType(format: "", dimensionality: .directory))),
        ("dataset<parquet>", .dataset(DatasetType(format: "parquet"))),
        ("  list < integer >  ", .list(.integer)), ("struct", .structure),
    ])
    func parses(text: String, type: LiteralType) throws {
        #expect(try TypeSyntax.parse(text).get() == type)
    }

    @Test(arguments: [
        ("intger", 0, "unknown type \"intger\" (did you mean \"integer\"?)"),
        ("list<integer", 12, "expected \">\" to close list<...>"),
        ("map<integer, float>", 0, "map keys are always strings: write map<T> or map<string, T>"),
        ("union<integer>", 0, "a union needs at least two types"),
        ("enum{a, a}", 9, "duplicate enum value \"a\""),
        ("list<>", 5, "expected a type name, found \">\""),
        ("integer float", 8, "unexpected \"float\" after the type"),
    ])
    func rejectsWithOffset(text: String, offset: Int, message: String) {
        #expect(TypeSyntax.parse(text) == .failure(TypeSyntaxError(offset: offset, message: message)))
    }
}

@Suite struct CompatibilityTests {
    @Test func rules() {
        let ok: [(LiteralType, LiteralType)] = [
            (.integer, .integer), (.none, .optional(.integer)), (.integer, .optional(.integer)),
            (.string, .union([.integer, .string])),
            (.list(.integer), .list(.optional(.integer))), (.enumeration(["a"]), .enumeration(["a", "b"])),
            (.blob(BlobType(format: "csv")), .blob(BlobType())), (.blob(BlobType()), .blob(BlobType(format: "csv"))),
            (.union([.integer, .none]), .union([.none, .integer, .string])),
            (
                .dataset(
                    DatasetType(
                        format: "parquet", columns: [.init(name: "a", type: .integer), .init(name: "b", type: .string)])
                ),
                .dataset(DatasetType(columns: [.init(name: "a", type: .optional(.integer))]))
            ),
        ]
        let no: [(LiteralType, LiteralType)] = [
            (.integer, .float), (.optional(.integer), .integer), (.enumeration(["a", "c"]), .enumeration(["a", "b"])),
            (.enumeration(["a"]), .string), (.blob(BlobType(format: "csv")), .blob(BlobType(format: "parquet"))),
            (.blob(BlobType()), .blob(BlobType(dimensionality: .directory))), (.list(.integer), .map(.integer)),
            (
                .dataset(DatasetType(columns: [.init(name: "a", type: .string)])),
                .dataset(DatasetType(columns: [.init(name: "a", type: .integer)]))
            ),
        ]
        for (s, t) in ok { #expect(TypeCompatibility.canFlow(from: s, to: t), "\(s) -> \(t)") }
        for (s, t) in no { #expect(!TypeCompatibility.canFlow(from: s, to: t), "\(s) -> \(t)") }
    }
}

@Suite struct CoercionAndHashTests {
    func yaml(_ text: String) -> LocatedValue { try! YAMLDocument.parse(text, file: "t.yaml")! }

    @Test func coercesYAMLValuesToTypedLiterals() throws {
        #expect(try LiteralCoercion.literal(yaml("3"), as: .float).get() == .float(3))
        #expect(
            try LiteralCoercion.literal(yaml("[1, 2]"), as: .list(.integer)).get() == .list([.integer(1), .integer(2)]))
        #expect(
            try LiteralCoercion.literal(yaml("{a: 1}"), as: .map(.optional(.integer))).get() == .map(["a": .integer(1)])
        )
        #expect(try LiteralCoercion.literal(yaml("null"), as: .optional(.string)).get() == .none)
        #expect(try LiteralCoercion.literal(yaml("1h30m"), as: .duration).get() == .duration(.seconds(5400)))
        #expect(
            try LiteralCoercion.literal(yaml("data/x.csv"), as: .blob(BlobType(format: "csv"))).get()
                == .blob(BlobValue(uri: "data/x.csv", type: BlobType(format: "csv"))))
        guard case .failure(let e) = LiteralCoercion.literal(yaml("\n  12"), as: .string) else {
            Issue.record("accepted")
            return
        }
        #expect(
            e.description
                == "t.yaml:2:3: expected a value of type string, found the integer 12 (quote it to make it a string)")
        #expect(try LiteralCoercion.literal(commandLine: "0.25", as: .float, name: "split").get() == .float(0.25))
        #expect(
            try LiteralCoercion.literal(commandLine: "hello world", as: .string, name: "s").get()
                == .string("hello world"))
        #expect(
            try LiteralCoercion.literal(commandLine: "[1,2]", as: .list(.integer), name: "l").get()
                == .list([.integer(1), .integer(2)]))
    }

    @Test func humanDurations() {
        #expect(HumanDuration.parse("250ms") == .milliseconds(250))
        #expect(HumanDuration.parse("1.5s") == .milliseconds(1500))
        #expect(HumanDuration.parse("2d1h") == .seconds(2 * 86_400 + 3600))
        for bad in ["", "10", "5x", "m", "1..2s"] { #expect(HumanDuration.parse(bad) == nil, "\(bad)") }
    }

    @Test func canonicalHashIgnoresKeyOrderAndWhitespace() throws {
        let a = try LiteralMap(
            bytes: Array(#"{"b":{"map":{"y":{"integer":1},"x":{"none":null}}},"a":{"string":"s"}}"#.utf8))
        let b = try LiteralMap(
            bytes: Array(
                "{ \"a\" : {\"string\":\"s\"},\n \"b\": {\"map\": {\"x\": {\"none\": null}, \"y\": {\"integer\": 1}}} }"
                    .utf8))
        #expect(CanonicalHash.of(a) == CanonicalHash.of(b))
        #expect(CanonicalHash.of(a) != CanonicalHash.of(["a": .string("t")]))
        // SHA-256 of "abc" (FIPS 180-2 test vector)
        #expect(
            CanonicalHash.sha256(Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // The empty input and one million "a" (many blocks, a partial last one): FIPS 180-2's other vectors.
        #expect(CanonicalHash.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            CanonicalHash.sha256([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

/// Literals of large enums (issue 15, defect 8): each checked, each large enum's values hashed once.
@Suite struct LargeEnumTests {
    static let values = (0..<10_000).map { "v\($0)" }

    @Test func aListOfManyValuesOfALargeEnumIsChecked() throws {
        let here = SourceLocation(file: "inputs.yaml", line: 1, column: 1)
        let items = (0..<10_000).map { LocatedValue.scalar(.string("v\(9_999 - $0)"), here) }
        let type = LiteralType.list(.enumeration(Self.values))
        #expect(
            try LiteralCoercion.literal(.sequence(items, here), as: type).get()
                == .list((0..<10_000).map { .enumeration("v\(9_999 - $0)") }))
        let wrong = items + [.scalar(.string("v10000"), SourceLocation(file: "inputs.yaml", line: 2, column: 3))]
        guard case .failure(let e) = LiteralCoercion.literal(.sequence(wrong, here), as: type) else {
            Issue.record("accepted")
            return
        }
        #expect(e.location.line == 2)
        #expect(e.message.hasPrefix("\"v10000\" is not one of v0, v1, v2,"))
        #expect(e.message.hasSuffix(" v49 and 9,950 more (did you mean \"v1000\"?)"))
    }

    @Test func oneMembershipServesEveryCopyOfAType() {
        let enums = EnumMembership()
        let type = LiteralType.enumeration(Self.values)
        for i in stride(from: 0, to: 10_000, by: 7) {
            let value = LocatedValue.scalar(.string("v\(i)"), SourceLocation(file: "spec.yaml", line: i + 1, column: 1))
            #expect((try? LiteralCoercion.literal(value, as: type, enums: enums).get()) == .enumeration("v\(i)"))
        }
    }
}
