import AloftHive
import PluginKit

/// The resource state the host stores for a hive task: the session and the running statement's operation
/// handle (guid and secret), and which of the task's statements it is. Over HTTP these handles work from
/// any process, so a restarted host polls the same operation.
struct HiveState {
    var session: HiveSession
    var operation: HiveOperation
    /// Index of the running statement among the rendered statements.
    var statement: Int
    var statements: Int

    var bytes: [UInt8] {
        JSONWriter.encode(
            .object([
                "session": session.id.json, "operation": operation.json,
                "statement": .integer(Int64(statement)), "statements": .integer(Int64(statements)),
            ]))
    }

    init(session: HiveSession, operation: HiveOperation, statement: Int, statements: Int) {
        self.session = session
        self.operation = operation
        self.statement = statement
        self.statements = statements
    }

    init(_ bytes: [UInt8]) throws(PluginError) {
        guard let j = try? JSONParser.parse(bytes), let session = HiveHandle(json: j["session"]),
            let op = HiveOperation(json: j["operation"]),
            let statement = j["statement"]?.integerValue, let statements = j["statements"]?.integerValue
        else { throw .system("the hive task's state is unreadable", code: "BadState", retryable: false) }
        self.init(
            session: HiveSession(id: session), operation: op, statement: Int(statement), statements: Int(statements))
    }
}
