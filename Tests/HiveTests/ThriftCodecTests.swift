import Foundation
import Testing

@testable import AloftHive

/// The binary protocol on bytes: what the writer sends and what the reader makes of server answers.
@Suite struct ThriftCodecTests {
    @Test func messageHeaderIsStrictVersionOneWithNameAndSequence() {
        var w = ThriftWriter()
        w.messageBegin("OpenSession", kind: .call, sequence: 7)
        #expect(w.bytes == [0x80, 0x01, 0x00, 0x01, 0, 0, 0, 11] + Array("OpenSession".utf8) + [0, 0, 0, 7])
    }

    @Test func fieldsAreTypeIdValueAndStructsEndWithStop() {
        var w = ThriftWriter()
        w.field(1, i32: 9)
        w.field(2, string: "bob")
        w.field(3, bool: true)
        w.field(4, i64: -2)
        w.field(5) { $0.field(1, i16: 258) }
        w.stop()
        #expect(
            w.bytes == [
                8, 0, 1, 0, 0, 0, 9,
                11, 0, 2, 0, 0, 0, 3, 98, 111, 98,
                2, 0, 3, 1,
                10, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
                12, 0, 5, 6, 0, 1, 1, 2, 0,
                0,
            ])
    }

    @Test func executeStatementRequestBytes() {
        let session = HiveSession(id: HiveHandle(guid: [1, 2], secret: [3]))
        var w = ThriftWriter()
        w.messageBegin("ExecuteStatement", kind: .call, sequence: 1)
        w.field(1) { w in
            w.field(1) { session.write(&$0) }
            w.field(2, string: "SELECT 1")
            w.field(4, bool: true)
        }
        w.stop()
        let expected: [UInt8] =
            [0x80, 0x01, 0x00, 0x01, 0, 0, 0, 16] + Array("ExecuteStatement".utf8) + [0, 0, 0, 1]
            // sessionHandle{sessionId{guid, secret}}
            + [12, 0, 1]  // args.req
            + [12, 0, 1, 12, 0, 1, 11, 0, 1, 0, 0, 0, 2, 1, 2, 11, 0, 2, 0, 0, 0, 1, 3, 0, 0]
            + [11, 0, 2, 0, 0, 0, 8] + Array("SELECT 1".utf8)
            + [2, 0, 4, 1]
            + [0, 0]
        #expect(w.bytes == expected)
    }

    @Test func readerSkipsFieldsItDoesNotKnowOfEveryType() throws {
        var w = ThriftWriter()
        w.field(9, string: "ignored")
        w.fieldBegin(10, .map)
        w.mapBegin(key: .string, value: .i32, count: 1)
        w.string("k")
        w.i32(1)
        w.fieldBegin(11, .list)
        w.listBegin(.structure, count: 1)
        w.field(1, i64: 5)
        w.stop()
        w.fieldBegin(12, .double)
        w.double(1.5)
        w.field(1, i32: 42)
        w.stop()
        var r = ThriftReader(w.bytes)
        var seen: Int32?
        try r.readStruct { r, id, type throws(ThriftError) in
            guard id == 1, type == .i32 else { return false }
            seen = try r.i32()
            return true
        }
        #expect(seen == 42)
        #expect(r.position == w.bytes.count)
    }

    @Test func truncatedAnswersAreErrorsNotCrashes() {
        var w = ThriftWriter()
        w.field(1, string: "hello")
        w.stop()
        for cut in 0..<(w.bytes.count - 1) {
            var r = ThriftReader(Array(w.bytes.prefix(cut)))
            #expect(throws: ThriftError.self) { try r.readStruct { _, _, _ in false } }
        }
        var huge = ThriftReader([11, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: ThriftError.self) { try huge.readStruct { _, _, _ in false } }
    }

    @Test func errorStatusBecomesAServerErrorWithMessageAndSQLState() throws {
        let answer = response("ExecuteStatement") { w in
            w.field(1) { s in
                s.field(1, i32: 3)
                s.field(3, string: "42601")
                s.field(4, i32: 0)
                s.field(5, string: "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.")
            }
        }
        let client = HiveClient(transport: Canned(answer: answer))
        do {
            _ = try client.executeStatement(HiveSession(id: HiveHandle(guid: [1], secret: [2])), "SELEC 1")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .server)
            #expect(error.sqlState == "42601")
            #expect(error.description == "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'. (SQLSTATE 42601)")
        }
    }

    @Test func applicationExceptionIsAProtocolError() throws {
        var w = ThriftWriter()
        w.messageBegin("GetOperationStatus", kind: .exception, sequence: 1)
        w.field(1, string: "Invalid method name")
        w.field(2, i32: 1)
        w.stop()
        let client = HiveClient(transport: Canned(answer: w.bytes))
        #expect {
            _ = try client.operationStatus(HiveOperation(id: HiveHandle(guid: [1], secret: [2]), hasResultSet: true))
        } throws: {
            ($0 as? HiveError)?.kind == .protocolError && "\($0)".contains("Invalid method name")
        }
    }

    @Test func fetchResultsColumnsWithNullsStayInTheAnswersBytes() throws {
        let answer = response("FetchResults") { w in
            w.field(1) { $0.field(1, i32: 0) }
            w.field(2, bool: false)
            w.field(3) { rs in
                rs.field(1, i64: 0)
                rs.fieldBegin(2, .list)
                rs.listBegin(.structure, count: 0)
                rs.fieldBegin(3, .list)
                rs.listBegin(.structure, count: 2)
                rs.field(5) { c in  // i64Val
                    c.fieldBegin(1, .list)
                    c.listBegin(.i64, count: 3)
                    c.i64(1)
                    c.i64(0)
                    c.i64(-3)
                    c.field(2, binary: [0b010])
                }
                rs.stop()
                rs.field(7) { c in  // stringVal
                    c.fieldBegin(1, .list)
                    c.listBegin(.string, count: 3)
                    c.string("a,b")
                    c.string("say \"hi\"")
                    c.string("")
                    c.field(2, binary: [0b100])
                }
                rs.stop()
            }
        }
        let client = HiveClient(transport: Canned(answer: answer))
        let (set, more) = try client.fetchResults(
            HiveOperation(id: HiveHandle(guid: [1], secret: [2]), hasResultSet: true), maxRows: 10)
        #expect(more)  // rows came: ask again; only an empty batch ends the result
        #expect(set.rowCount == 3)
        #expect(set.columns[0].isNull(1) && !set.columns[0].isNull(0) && set.columns[1].isNull(2))
        guard case .string(let ranges) = set.columns[1].values else {
            Issue.record("not a string column")
            return
        }
        #expect(set.string(ranges[1]) == "say \"hi\"")
        let path = NSTemporaryDirectory() + "hive-csv-\(getpid()).csv"
        let writer = try HiveCSVWriter(
            path: path,
            columns: [
                HiveColumnDescription(name: "n", type: .bigint, position: 1),
                HiveColumnDescription(name: "s", type: .string, position: 2),
            ])
        try writer.append(set)
        try writer.finish()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "n,s\n1,\"a,b\"\n,\"say \"\"hi\"\"\"\n-3,\n")
    }

    @Test func saslPlainMessagesAreStatusLengthPayload() {
        #expect(HiveTCPTransport.saslMessage(.start, Array("PLAIN".utf8)) == [1, 0, 0, 0, 5] + Array("PLAIN".utf8))
        #expect(
            HiveTCPTransport.saslMessage(.ok, [0] + Array("al".utf8) + [0] + Array("pw".utf8)) == [
                2, 0, 0, 0, 6, 0, 97, 108, 0, 112, 119,
            ])
        #expect(HiveTCPTransport.bigEndian(0x0102_0304) == [1, 2, 3, 4])
        #expect(HiveTCPTransport.integer([1, 2, 3, 4]) == 0x0102_0304)
    }

    /// A T*Resp answer to `method` whose fields `body` writes.
    func response(_ method: String, _ body: (inout ThriftWriter) -> Void) -> [UInt8] {
        var w = ThriftWriter()
        w.messageBegin(method, kind: .reply, sequence: 1)
        w.field(0, structure: body)
        w.stop()
        return w.bytes
    }

    struct Canned: HiveTransport {
        let answer: [UInt8]
        func roundTrip(_ message: [UInt8], idempotent: Bool) throws(HiveError) -> [UInt8] { answer }
    }
}
