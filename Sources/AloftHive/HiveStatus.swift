/// TStatus: how every TCLIService answer says whether it worked, with the server's message and SQLSTATE.
public struct HiveStatus: Sendable, Hashable {
    public enum Code: Int32, Sendable {
        case success = 0, successWithInfo, stillExecuting, error, invalidHandle
    }

    public var code: Int32 = 0
    public var infoMessages: [String] = []
    public var sqlState: String?
    public var errorCode: Int32?
    public var errorMessage: String?

    public init(code: Int32 = 0, sqlState: String? = nil, errorCode: Int32? = nil, errorMessage: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    public var isSuccess: Bool { code == Code.success.rawValue || code == Code.successWithInfo.rawValue }

    static func read(_ r: inout ThriftReader) throws(ThriftError) -> HiveStatus {
        var s = HiveStatus()
        try r.readStruct { r, id, type throws(ThriftError) in
            switch (id, type) {
            case (1, .i32): s.code = try r.i32()
            case (2, .list): s.infoMessages = try r.list(of: .string) { r throws(ThriftError) in try r.string() }
            case (3, .string): s.sqlState = try r.string()
            case (4, .i32): s.errorCode = try r.i32()
            case (5, .string): s.errorMessage = try r.string()
            default: return false
            }
            return true
        }
        return s
    }
}

/// TOperationState.
public enum HiveOperationState: Int32, Sendable {
    case initialized = 0, running, finished, canceled, closed, error, unknown, pending, timedOut

    public var isTerminal: Bool { [.finished, .canceled, .closed, .error, .timedOut].contains(self) }
    public var name: String {
        switch self {
        case .initialized: "INITIALIZED"
        case .running: "RUNNING"
        case .finished: "FINISHED"
        case .canceled: "CANCELED"
        case .closed: "CLOSED"
        case .error: "ERROR"
        case .unknown: "UNKNOWN"
        case .pending: "PENDING"
        case .timedOut: "TIMEDOUT"
        }
    }
}
