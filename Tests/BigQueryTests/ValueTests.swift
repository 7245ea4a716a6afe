import AloftGoogle
import AloftWire
import Testing

/// Typed values to query parameters and result cells back to typed values, without a server.
@Suite struct ValueTests {
    @Test func inputTypesMapToBigQueryParameterTypes() {
        func type(_ t: LiteralType) -> String? { QueryParameters.parameterType(t).map(JSONWriter.string) }
        #expect(type(.integer) == #"{"type":"INT64"}"#)
        #expect(type(.float) == #"{"type":"FLOAT64"}"#)
        #expect(type(.string) == #"{"type":"STRING"}"#)
        #expect(type(.enumeration(["a", "b"])) == #"{"type":"STRING"}"#)
        #expect(type(.boolean) == #"{"type":"BOOL"}"#)
        #expect(type(.datetime) == #"{"type":"TIMESTAMP"}"#)
        #expect(type(.list(.integer)) == #"{"arrayType":{"type":"INT64"},"type":"ARRAY"}"#)
        #expect(type(.optional(.float)) == #"{"type":"FLOAT64"}"#)
        for none: LiteralType in [
            .blob(BlobType()), .binary, .structure, .duration, .map(.integer), .list(.list(.integer)),
            .list(.optional(.integer)), .union([.integer, .string]),
        ] {
            #expect(type(none) == nil, "\(none)")
        }
    }

    @Test func valuesAreWrittenAsBigQueryWantsThem() throws {
        func value(_ l: Literal, _ t: LiteralType) throws -> String {
            JSONWriter.string(try QueryParameters.parameter(name: "x", value: l, type: t)["parameterValue"]!)
        }
        #expect(try value(.integer(-3), .integer) == #"{"value":"-3"}"#)
        #expect(try value(.float(2.5), .float) == #"{"value":"2.5"}"#)
        #expect(try value(.float(.infinity), .float) == #"{"value":"Infinity"}"#)
        #expect(try value(.string("it's; DROP TABLE t"), .string) == #"{"value":"it's; DROP TABLE t"}"#)
        #expect(try value(.boolean(false), .boolean) == #"{"value":"false"}"#)
        #expect(
            try value(.datetime(Timestamp(seconds: 1_704_164_645, nanos: 500_000_000)), .datetime)
                == #"{"value":"2024-01-02T03:04:05.5Z"}"#)
        #expect(
            try value(.list([.string("a"), .string("b")]), .list(.string))
                == #"{"arrayValues":[{"value":"a"},{"value":"b"}]}"#)
        #expect(try value(.none, .optional(.integer)) == "{}")  // NULL
        #expect(throws: QueryValueError("input \"x\" is a blob, which has no BigQuery query parameter type")) {
            try QueryParameters.parameter(
                name: "x", value: .blob(BlobValue(uri: "file:///a", type: BlobType())), type: .blob(BlobType()))
        }
    }

    @Test func cellsBecomeTypedValues() throws {
        func field(_ type: String, mode: String = "NULLABLE") -> JSON {
            .object(["name": .string("c"), "type": .string(type), "mode": .string(mode)])
        }
        #expect(try QueryResults.literal(.string("42"), field: field("INTEGER"), as: .integer) == .integer(42))
        #expect(try QueryResults.literal(.string("1.5"), field: field("FLOAT"), as: .float) == .float(1.5))
        #expect(try QueryResults.literal(.string("true"), field: field("BOOLEAN"), as: .boolean) == .boolean(true))
        // TIMESTAMP as integer microseconds (formatOptions.useInt64Timestamp) and as float seconds.
        let t = Literal.datetime(Timestamp(seconds: 1_704_164_645, nanos: 250_000_000))
        #expect(try QueryResults.literal(.string("1704164645250000"), field: field("TIMESTAMP"), as: .datetime) == t)
        #expect(try QueryResults.literal(.string("1.70416464525E9"), field: field("TIMESTAMP"), as: .datetime) == t)
        #expect(
            try QueryResults.literal(.string("2024-01-02"), field: field("DATE"), as: .datetime)
                == .datetime(Timestamp(seconds: 1_704_153_600)))
        #expect(
            try QueryResults.literal(
                .array([.object(["v": .string("1")]), .object(["v": .string("2")])]),
                field: field("INTEGER", mode: "REPEATED"),
                as: .list(.integer)) == .list([.integer(1), .integer(2)]))
        #expect(try QueryResults.literal(.null, field: field("STRING"), as: .optional(.string)) == Literal.none)
        #expect(throws: QueryValueError("column \"c\" (STRING): is NULL, and the output is a string, not optional")) {
            try QueryResults.literal(.null, field: field("STRING"), as: .string)
        }
        #expect(throws: QueryValueError("column \"c\" (STRING): \"x\" is not an integer")) {
            try QueryResults.literal(.string("x"), field: field("STRING"), as: .integer)
        }
    }

    @Test func csvQuotesWhatNeedsQuoting() {
        var csv = CSVText(header: ["a", "b"])
        csv.append(["plain", "with, comma"])
        csv.append(["say \"hi\"", "two\nlines"])
        #expect(
            String(decoding: csv.bytes, as: UTF8.self)
                == "a,b\nplain,\"with, comma\"\n\"say \"\"hi\"\"\",\"two\nlines\"\n")
        let ts = QueryResults.csvText(.string("1704164645000000"), field: .object(["type": .string("TIMESTAMP")]))
        #expect(ts == "2024-01-02T03:04:05Z")
        #expect(
            QueryResults.csvText(.array([.object(["v": .string("1")])]), field: .object(["type": .string("INTEGER")]))
                == #"["1"]"#)
    }
}
