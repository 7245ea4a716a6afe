import AloftHive
import AloftWire
import Testing

/// Typed inputs as SQL literals: nothing an input holds can end its quote, add a statement or reach the
/// server's `${...}` variable substitution.
@Suite struct SQLLiteralTests {
    @Test func stringsAreQuotedWithBackslashEscapes() throws {
        #expect(try SQLLiteral.render(.string("O'Brien")) == #"'O\'Brien'"#)
        #expect(try SQLLiteral.render(.string(#"a\b"#)) == #"'a\\b'"#)
        #expect(try SQLLiteral.render(.string("x'; DROP TABLE t; --")) == #"'x\'; DROP TABLE t; --'"#)
        #expect(try SQLLiteral.render(.string(#"\'; DROP TABLE t; --"#)) == #"'\\\'; DROP TABLE t; --'"#)
        #expect(try SQLLiteral.render(.string("line\nbreak\t\u{0}")) == #"'line\nbreak\t\u0000'"#)
        #expect(try SQLLiteral.render(.string("${hiveconf:x}")) == #"'\u0024{hiveconf:x}'"#)
        #expect(try SQLLiteral.render(.string("\"é\"")) == #"'\"é\"'"#)
    }

    @Test func numbersBooleansTimesAndBytes() throws {
        #expect(try SQLLiteral.render(.integer(-42)) == "-42")
        #expect(try SQLLiteral.render(.integer(.min)) == "(-9223372036854775807 - 1)")
        #expect(try SQLLiteral.render(.float(1.5)) == "1.5E0")
        #expect(try SQLLiteral.render(.float(1e-05)) == "1E-05")
        #expect(try SQLLiteral.render(.float(.nan)) == "CAST('NaN' AS DOUBLE)")
        #expect(try SQLLiteral.render(.boolean(true)) == "TRUE")
        #expect(try SQLLiteral.render(.none) == "NULL")
        #expect(
            try SQLLiteral.render(.datetime(Timestamp(rfc3339: "2026-11-25T06:29:39.5Z")!))
                == "TIMESTAMP '2026-11-25 06:29:39.5Z'")
        #expect(try SQLLiteral.render(.binary([0xAB, 0x01])) == "X'AB01'")
        #expect(try SQLLiteral.render(.enumeration("red")) == "'red'")
    }

    @Test func listsBecomeParenthesisedForIn() throws {
        #expect(try SQLLiteral.render(.list([.string("a'"), .string("b")])) == #"('a\'', 'b')"#)
        #expect(try SQLLiteral.render(.list([.integer(1), .integer(2)])) == "(1, 2)")
        #expect(try SQLLiteral.render(.list([])) == "(NULL)")
        #expect(throws: SQLLiteralError.self) { try SQLLiteral.render(.list([.list([])])) }
    }

    @Test func typesWithoutASQLFormAreNamed() throws {
        #expect(SQLLiteral.unsupported(.string) == nil)
        #expect(SQLLiteral.unsupported(.optional(.integer)) == nil)
        #expect(SQLLiteral.unsupported(.list(.datetime)) == nil)
        #expect(SQLLiteral.unsupported(.map(.string))?.contains("map") == true)
        #expect(SQLLiteral.unsupported(.blob(BlobType()))?.contains("blob") == true)
        #expect(SQLLiteral.unsupported(.duration)?.contains("duration") == true)
        #expect(SQLLiteral.unsupported(.list(.list(.integer))) != nil)
        #expect(throws: SQLLiteralError.self) { try SQLLiteral.render(.map([:])) }
    }
}

@Suite struct QueryTemplateTests {
    @Test func statementsSplitAtSemicolonsOutsideQuotesAndComments() throws {
        let t = try QueryTemplate(
            """
            CREATE TABLE t (s STRING); -- a comment; still a comment
            INSERT INTO t VALUES ('a;b'), ("c;d"), (`e;f`) /* ; */ ;
            ;
            SELECT * FROM t WHERE s = {{ inputs.name }}
            """)
        #expect(t.statements.count == 3)
        #expect(
            try t.render(["name": .string("x'; DROP TABLE t")]) == [
                "CREATE TABLE t (s STRING)",
                "-- a comment; still a comment\nINSERT INTO t VALUES ('a;b'), (\"c;d\"), (`e;f`) /* ; */",
                #"SELECT * FROM t WHERE s = 'x\'; DROP TABLE t'"#,
            ])
    }

    @Test func escapedQuotesInTheTemplateDoNotEndItsStrings() throws {
        let t = try QueryTemplate(#"SELECT 'it\'s; fine', {{inputs.n}}"#)
        #expect(try t.render(["n": .integer(3)]) == [#"SELECT 'it\'s; fine', 3"#])
    }

    @Test func problemsNamePlaceholdersWithoutInputsQuotedOnesAndTypesWithoutLiterals() throws {
        let t = try QueryTemplate(
            "SELECT {{ inputs.missing }}, '{{ inputs.n }}', {{ inputs.f }}, {{ inputs.f }}, {{ table }}")
        let problems = t.problems(inputs: ["n": .integer, "f": .blob(BlobType())])
        let messages = problems.map(\.message)
        #expect(messages.contains { $0.contains("{{ inputs.missing }} names no input") && $0.contains("inputs: f, n") })
        #expect(messages.contains { $0.contains("{{ inputs.n }} is inside quotes") })
        #expect(problems.filter { $0.input == "f" }.count == 1)
        #expect(messages.contains { $0.contains("{{ table }} is not a placeholder") })
    }

    @Test func unclosedThingsAreErrors() {
        #expect(throws: QueryTemplateError.self) { try QueryTemplate("SELECT 'abc") }
        #expect(throws: QueryTemplateError.self) { try QueryTemplate("SELECT {{ inputs.a ") }
        #expect(throws: QueryTemplateError.self) { try QueryTemplate("SELECT /* x") }
        #expect(
            (try? QueryTemplate(" ; -- nothing\n"))?.problems(inputs: [:]).first?.message
                == "the query has no statement")
    }
}

@Suite struct HiveTableNameTests {
    @Test func derivedFromTheNodeNotTheAttemptAndSafeUnquoted() {
        let a = HiveTableName.derive(
            project: "p", domain: "development", execution: "ex-20261201-1500-abc", node: "load")
        #expect(
            a
                == HiveTableName.derive(
                    project: "p", domain: "development", execution: "ex-20261201-1500-abc", node: "load"))
        #expect(a.hasPrefix("aloft_ex_20261201_1500_abc_load_"))
        #expect(a.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" })
        #expect(
            a
                != HiveTableName.derive(
                    project: "p", domain: "development", execution: "ex-20261201-1500-abc", node: "load2"))
        #expect(
            a
                != HiveTableName.derive(
                    project: "q", domain: "development", execution: "ex-20261201-1500-abc", node: "load"))
        let long = HiveTableName.derive(
            project: "p", domain: "d", execution: String(repeating: "x", count: 300), node: "n")
        #expect(long.count == HiveTableName.maxLength)
    }

    @Test func sqlQuotesTheDatabaseAndTheName() throws {
        #expect(HiveTableName.sql("aloft_t_1", database: nil) == "`aloft_t_1`")
        #expect(HiveTableName.sql("aloft_t_1", database: "we`ird") == "`we``ird`.`aloft_t_1`")
        let t = try QueryTemplate(
            "DROP TABLE IF EXISTS {{ output_table }}; CREATE TABLE {{output_table}} AS SELECT {{ inputs.n }} AS n")
        #expect(t.usesOutputTable)
        #expect(t.problems(inputs: ["n": .integer]).isEmpty)
        #expect(
            try t.render(["n": .integer(1)], outputTable: "`t`") == [
                "DROP TABLE IF EXISTS `t`", "CREATE TABLE `t` AS SELECT 1 AS n",
            ])
    }
}
