public import AloftWire

/// A HiveServer2 handle identifier (THandleIdentifier): a guid and a secret, 16 bytes each. Over HTTP a
/// handle one process got works from another, which is what lets a restarted host re-attach.
public struct HiveHandle: Sendable, Hashable {
    public var guid: [UInt8]
    public var secret: [UInt8]

    public init(guid: [UInt8], secret: [UInt8]) {
        self.guid = guid
        self.secret = secret
    }

    /// The guid as the server prints it in logs and its UI (8-4-4-4-12 hex).
    public var uuid: String {
        let hex = guid.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        guard hex.count == 32 else { return hex }
        let c = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(c[$0]) }.joined(separator: "-")
    }

    public var json: JSON { .object(["guid": .string(Base64.encode(guid)), "secret": .string(Base64.encode(secret))]) }

    public init?(json: JSON?) {
        guard let g = json?["guid"]?.stringValue.flatMap(Base64.decode),
            let s = json?["secret"]?.stringValue.flatMap(Base64.decode)
        else { return nil }
        self.init(guid: g, secret: s)
    }

    func write(_ w: inout ThriftWriter) {
        w.field(1, binary: guid)
        w.field(2, binary: secret)
    }

    static func read(_ r: inout ThriftReader) throws(ThriftError) -> HiveHandle {
        var handle = HiveHandle(guid: [], secret: [])
        try r.readStruct { r, id, type throws(ThriftError) in
            switch (id, type) {
            case (1, .string): handle.guid = try r.binary()
            case (2, .string): handle.secret = try r.binary()
            default: return false
            }
            return true
        }
        return handle
    }
}

/// TSessionHandle.
public struct HiveSession: Sendable, Hashable {
    public var id: HiveHandle
    public init(id: HiveHandle) { self.id = id }

    func write(_ w: inout ThriftWriter) { w.field(1) { id.write(&$0) } }

    static func read(_ r: inout ThriftReader) throws(ThriftError) -> HiveSession {
        var id: HiveHandle?
        try r.readStruct { r, field, type throws(ThriftError) in
            guard field == 1, type == .structure else { return false }
            id = try HiveHandle.read(&r)
            return true
        }
        guard let id else { throw ThriftError("a session handle without its identifier") }
        return HiveSession(id: id)
    }
}

/// TOperationHandle: the identifier plus what the server said about the operation when it made it.
public struct HiveOperation: Sendable, Hashable {
    public var id: HiveHandle
    public var type: Int32
    public var hasResultSet: Bool
    public var modifiedRowCount: Double?

    public init(id: HiveHandle, type: Int32 = 0, hasResultSet: Bool, modifiedRowCount: Double? = nil) {
        self.id = id
        self.type = type
        self.hasResultSet = hasResultSet
        self.modifiedRowCount = modifiedRowCount
    }

    public var json: JSON {
        var o: [String: JSON] = ["id": id.json, "type": .integer(Int64(type)), "has_result_set": .bool(hasResultSet)]
        if let modifiedRowCount { o["modified_rows"] = .float(modifiedRowCount) }
        return .object(o)
    }

    public init?(json: JSON?) {
        guard let id = HiveHandle(json: json?["id"]) else { return nil }
        self.init(
            id: id, type: Int32(json?["type"]?.integerValue ?? 0),
            hasResultSet: json?["has_result_set"]?.boolValue ?? false,
            modifiedRowCount: json?["modified_rows"]?.numberValue)
    }

    func write(_ w: inout ThriftWriter) {
        w.field(1) { id.write(&$0) }
        w.field(2, i32: type)
        w.field(3, bool: hasResultSet)
        if let modifiedRowCount {
            w.fieldBegin(4, .double)
            w.double(modifiedRowCount)
        }
    }

    static func read(_ r: inout ThriftReader) throws(ThriftError) -> HiveOperation {
        var op = HiveOperation(id: HiveHandle(guid: [], secret: []), hasResultSet: false)
        var sawID = false
        try r.readStruct { r, field, type throws(ThriftError) in
            switch (field, type) {
            case (1, .structure):
                op.id = try HiveHandle.read(&r)
                sawID = true
            case (2, .i32): op.type = try r.i32()
            case (3, .bool): op.hasResultSet = try r.bool()
            case (4, .double): op.modifiedRowCount = try r.double()
            default: return false
            }
            return true
        }
        guard sawID else { throw ThriftError("an operation handle without its identifier") }
        return op
    }
}
