/// The TCLIService calls a query task needs: open and close a session, execute a statement (asynchronously),
/// get its status, cancel, close, read the result schema and fetch rows. Blocking (one HTTP exchange or
/// socket round trip per call): run it on a plugin thread, never on Swift's cooperative pool.
public struct HiveClient: Sendable {
    /// HIVE_CLI_SERVICE_PROTOCOL_V10; servers answer with the newest version they speak (V6+ has columnar rows).
    public static let protocolVersion: Int32 = 9

    public let transport: any HiveTransport

    public init(transport: any HiveTransport) { self.transport = transport }

    public func openSession(
        user: String, password: String?, configuration: [String: String] = [:]
    ) throws(HiveError) -> HiveSession {
        try call("OpenSession", idempotent: true) { w in
            w.field(1, i32: Self.protocolVersion)
            w.field(2, string: user)
            if let password { w.field(3, string: password) }
            if !configuration.isEmpty { w.field(4, stringMap: configuration) }
        } response: { r throws(HiveError) -> HiveSession in
            var session: HiveSession?
            try Self.readResponse(&r, "OpenSession") { r, id, type throws(ThriftError) in
                guard id == 3, type == .structure else { return false }
                session = try HiveSession.read(&r)
                return true
            }
            guard let session else { throw HiveError(.protocolError, "OpenSession answered without a session handle") }
            return session
        }
    }

    public func closeSession(_ session: HiveSession) throws(HiveError) {
        try call("CloseSession", idempotent: true) { w in
            w.field(1) { session.write(&$0) }
        } response: { r throws(HiveError) in
            try Self.readResponse(&r, "CloseSession") { _, _, _ in false }
        }
    }

    /// Starts a statement. Not idempotent: HiveServer2 has no way to name an operation, so a lost answer
    /// cannot be told from a statement that never arrived; this call is never sent twice.
    public func executeStatement(
        _ session: HiveSession, _ statement: String, configuration: [String: String] = [:],
        runAsync: Bool = true, queryTimeoutSeconds: Int64 = 0
    ) throws(HiveError) -> HiveOperation {
        try call("ExecuteStatement", idempotent: false) { w in
            w.field(1) { session.write(&$0) }
            w.field(2, string: statement)
            if !configuration.isEmpty { w.field(3, stringMap: configuration) }
            w.field(4, bool: runAsync)
            if queryTimeoutSeconds > 0 { w.field(5, i64: queryTimeoutSeconds) }
        } response: { r throws(HiveError) -> HiveOperation in
            var op: HiveOperation?
            try Self.readResponse(&r, "ExecuteStatement") { r, id, type throws(ThriftError) in
                guard id == 2, type == .structure else { return false }
                op = try HiveOperation.read(&r)
                return true
            }
            guard let op else {
                throw HiveError(.protocolError, "ExecuteStatement answered without an operation handle")
            }
            return op
        }
    }

    public func operationStatus(_ op: HiveOperation) throws(HiveError) -> HiveOperationStatus {
        try call("GetOperationStatus", idempotent: true) { w in
            w.field(1) { op.write(&$0) }
        } response: { r throws(HiveError) -> HiveOperationStatus in
            var s = HiveOperationStatus()
            try Self.readResponse(&r, "GetOperationStatus") { r, id, type throws(ThriftError) in
                switch (id, type) {
                case (2, .i32): s.state = HiveOperationState(rawValue: try r.i32()) ?? .unknown
                case (3, .string): s.sqlState = try r.string()
                case (4, .i32): s.errorCode = try r.i32()
                case (5, .string): s.errorMessage = try r.string()
                case (6, .string): s.taskStatus = try r.string()
                case (7, .i64): s.started = try r.i64()
                case (8, .i64): s.completed = try r.i64()
                case (9, .bool): s.hasResultSet = try r.bool()
                case (10, .structure):  // TProgressUpdateResp {3: progressedPercentage}
                    try r.readStruct { r, id, type throws(ThriftError) in
                        guard id == 3, type == .double else { return false }
                        s.progress = try r.double()
                        return true
                    }
                default: return false
                }
                return true
            }
            return s
        }
    }

    public func cancelOperation(_ op: HiveOperation) throws(HiveError) {
        try call("CancelOperation", idempotent: true) { w in
            w.field(1) { op.write(&$0) }
        } response: { r throws(HiveError) in
            try Self.readResponse(&r, "CancelOperation") { _, _, _ in false }
        }
    }

    public func closeOperation(_ op: HiveOperation) throws(HiveError) {
        try call("CloseOperation", idempotent: true) { w in
            w.field(1) { op.write(&$0) }
        } response: { r throws(HiveError) in
            try Self.readResponse(&r, "CloseOperation") { _, _, _ in false }
        }
    }

    public func resultSetMetadata(_ op: HiveOperation) throws(HiveError) -> [HiveColumnDescription] {
        try call("GetResultSetMetadata", idempotent: true) { w in
            w.field(1) { op.write(&$0) }
        } response: { r throws(HiveError) in
            var columns: [HiveColumnDescription] = []
            try Self.readResponse(&r, "GetResultSetMetadata") { r, id, type throws(ThriftError) in
                guard id == 2, type == .structure else { return false }
                columns = try HiveColumnDescription.readSchema(&r)
                return true
            }
            return columns
        }
    }

    /// TFetchOrientation: FETCH_NEXT continues; FETCH_FIRST starts the result over (a fetch retried after a
    /// lost answer would otherwise skip the rows that answer carried).
    public enum FetchOrientation: Int32, Sendable { case next = 0, first = 4 }

    /// A batch of rows. Not idempotent: the server's cursor moves on.
    public func fetchResults(
        _ op: HiveOperation, maxRows: Int64, orientation: FetchOrientation = .next
    ) throws(HiveError)
        -> (rows: HiveRowSet, hasMoreRows: Bool)
    {
        try call("FetchResults", idempotent: false) { w in
            w.field(1) { op.write(&$0) }
            w.field(2, i32: orientation.rawValue)
            w.field(3, i64: maxRows)
            w.field(4, i16: 0)
        } response: { r throws(HiveError) in
            var rows: HiveRowSet?
            var more = false
            try Self.readResponse(&r, "FetchResults") { r, id, type throws(ThriftError) in
                switch (id, type) {
                case (2, .bool): more = try r.bool()
                case (3, .structure): rows = try HiveRowSet.read(&r)
                default: return false
                }
                return true
            }
            guard let rows else { throw HiveError(.protocolError, "FetchResults answered without rows") }
            // Spark's server leaves hasMoreRows false even when more follow; an empty batch is the real end.
            return (rows, more || rows.rowCount > 0)
        }
    }

    // MARK: - Framing

    /// Sends `<method>(req)` and reads the answer's `success` struct with `response`.
    func call<T>(
        _ method: String, idempotent: Bool, request: (inout ThriftWriter) -> Void,
        response: (inout ThriftReader) throws(HiveError) -> T
    ) throws(HiveError) -> T {
        var w = ThriftWriter()
        w.messageBegin(method, kind: .call, sequence: 1)
        w.field(1, structure: request)
        w.stop()
        let answer = try transport.roundTrip(w.bytes, idempotent: idempotent)
        var r = ThriftReader(answer)
        // The envelope: a message header, then the result struct whose field 0 is the T*Resp.
        var success: Int?
        do {
            let header = try r.messageBegin()
            if header.kind == .exception { throw Self.applicationException(&r, method) }
            guard header.name == method else {
                throw HiveError(.protocolError, "asked \(method), the server answered \(header.name)")
            }
            try r.readStruct { r, id, type throws(ThriftError) in
                guard id == 0, type == .structure else { return false }
                success = r.position
                try r.skip(type)
                return true
            }
        } catch let error as HiveError {
            throw error
        } catch {
            throw HiveError(.protocolError, "\(method): the answer is not TCLIService Thrift: \(error)")
        }
        guard let success else { throw HiveError(.protocolError, "\(method) answered without a result") }
        var body = ThriftReader(answer, position: success)
        return try response(&body)
    }

    /// Reads a T*Resp struct: field 1 is the TStatus (checked: an error status throws), the rest go to `field`.
    static func readResponse(
        _ r: inout ThriftReader, _ method: String,
        _ field: (inout ThriftReader, Int16, ThriftType) throws(ThriftError) -> Bool
    ) throws(HiveError) {
        var status = HiveStatus()
        do {
            try r.readStruct { r, id, type throws(ThriftError) in
                if id == 1, type == .structure {
                    status = try HiveStatus.read(&r)
                    return true
                }
                return try field(&r, id, type)
            }
        } catch {
            throw HiveError(.protocolError, "\(method): the answer is not TCLIService Thrift: \(error.description)")
        }
        guard status.isSuccess else { throw HiveError.from(status, call: method) }
    }

    /// TApplicationException {1: message, 2: type}: the server could not process the call at all.
    static func applicationException(_ r: inout ThriftReader, _ method: String) -> HiveError {
        var message = ""
        try? r.readStruct { r, id, type throws(ThriftError) in
            guard id == 1, type == .string else { return false }
            message = try r.string()
            return true
        }
        return HiveError(
            .protocolError, "\(method): the server raised \(message.isEmpty ? "an application exception" : message)")
    }
}

/// TGetOperationStatusResp, less its TStatus.
public struct HiveOperationStatus: Sendable {
    public var state: HiveOperationState = .unknown
    public var sqlState: String?
    public var errorCode: Int32?
    public var errorMessage: String?
    public var taskStatus: String?
    public var started: Int64?
    public var completed: Int64?
    public var hasResultSet: Bool?
    public var progress: Double?

    public init() {}
}
