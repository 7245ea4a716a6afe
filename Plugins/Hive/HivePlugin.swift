import AloftHTTP
import AloftHive
import Foundation
public import PluginKit

/// Queries on HiveServer2 (Apache Hive, Spark's Thrift server, Kyuubi, Impala) over TCLIService, the
/// asynchronous tier of the ABI: submit opens a session and starts the first statement asynchronously; the
/// resource state is the session and operation handles; poll asks the operation's status, starts the next
/// statement when one finishes and fetches the last one's rows into the outputs; abort cancels the
/// operation; finalize closes the session.
///
/// Task types `hive` and `hive-query` (see HiveTaskSpec for the task's config, HiveConnection for the
/// plugin's, docs/hive.md for both).
public final class HivePlugin: Plugin {
    public static let info = PluginInfo(
        id: "aloft.hive", version: "0.1.0",
        description: "Typed queries on HiveServer2 (TCLIService over Thrift; HTTP, or binary TCP with SASL PLAIN)",
        taskTypes: ["hive", "hive-query"])

    private let host: HostServices
    private let connection: HiveConnection
    private let connections: HiveConnections

    public init(config: JSON, host: HostServices) throws(PluginError) {
        self.host = host
        connection = try HiveConnection(config: config)
        var httpConfig = HTTPClient.Configuration(log: { [host] line in host.log(.debug, "hive: " + line) })
        httpConfig.connectTimeoutMilliseconds = 5_000
        connections = HiveConnections(connection: connection, host: host, http: HTTPClient(httpConfig))
    }

    public func check(_ task: TaskTemplate) -> [TaskProblem] { HiveTaskSpec.problems(task) }

    /// The client for a stored session; over binary TCP, a failure when this process no longer holds its connection.
    private func client(_ state: HiveState) throws(PluginError) -> HiveClient {
        guard let client = try connections.client(for: state.session) else {
            throw .system(
                "the binary-transport session \(state.session.id.uuid) died with its connection (the host restarted?); "
                    + "HiveServer2 keeps sessions only as long as the connection over binary TCP, use transport: http to re-attach",
                code: "OperationLost", retryable: true)
        }
        return client
    }

    /// The rendered statements, each tagged with a first-line comment naming the task execution: HiveServer2
    /// cannot de-duplicate a statement sent twice (see submit), but its logs and query history then show which
    /// task and attempt sent each one.
    private func statements(_ context: TaskContext, _ spec: HiveTaskSpec) throws(PluginError) -> [String] {
        let table = HiveTableName.sql(Self.tableName(context), database: connection.database)
        let rendered: [String]
        do { rendered = try spec.template.render(context.inputs, outputTable: table) } catch {
            throw .user("config.query: \(error.description)", code: "BadTask")
        }
        // Only [A-Za-z0-9._-] of the id goes into the comment: nothing in it may end the comment's line.
        let id = String(
            context.taskExecutionID.unicodeScalars.filter {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
            })
        return rendered.enumerated().map { i, sql in "-- aloft task \(id) statement \(i + 1)/\(rendered.count)\n" + sql
        }
    }

    /// The task's own table, the same for every attempt of this node in this execution.
    static func tableName(_ context: TaskContext) -> String {
        HiveTableName.derive(
            project: context.identity.project, domain: context.identity.domain, execution: context.identity.execution,
            node: context.identity.node)
    }

    public func submit(_ call: TaskCall) throws(PluginError) -> [UInt8] {
        let context = try call.context()
        let spec = try HiveTaskSpec(context.task)
        let sql = try statements(context, spec)
        let (client, tcp) = try connections.newClient()
        let session: HiveSession
        do {
            session = try client.openSession(
                user: connection.user, password: nil, configuration: connection.sessionConfiguration(spec.hiveConf))
        } catch {
            tcp?.close()
            throw HiveErrors.map(error, "opening a session at \(connection.address)")
        }
        // HiveServer2 cannot name an operation, so there is no way to make this idempotent: a crash before the
        // host stores the state returned below runs the statement again on resume (docs/hive.md).
        let op: HiveOperation
        do {
            op = try client.executeStatement(session, sql[0], runAsync: true, queryTimeoutSeconds: spec.queryTimeout)
        } catch {
            try? client.closeSession(session)
            tcp?.close()
            throw HiveErrors.map(error, "statement 1")
        }
        connections.keep(tcp, for: session)
        host.log(
            .info, "hive: statement 1 of \(sql.count) is operation \(op.id.uuid) in session \(session.id.uuid)",
            task: call.executionID)
        return HiveState(session: session, operation: op, statement: 0, statements: sql.count).bytes
    }

    public func poll(_ call: TaskCall) throws(PluginError) -> PollResult {
        let context = try call.context()
        var state = try HiveState(call.state)
        let client: HiveClient
        do { client = try self.client(state) } catch { return .failed(error) }
        let wait = Duration.milliseconds(Int64(connection.pollSeconds * 1000))
        let which = "statement \(state.statement + 1) of \(state.statements)"
        let status = try HiveErrors.call("GetOperationStatus (\(which))") { () throws(HiveError) in
            try client.operationStatus(state.operation)
        }
        switch status.state {
        case .initialized, .pending, .running, .unknown:
            return .running(
                pollAfter: wait,
                status: "\(which): \(status.state.name)"
                    + (status.progress.map { String(format: " %.0f%%", $0 * 100) } ?? ""))
        case .finished:
            break
        case .error:
            let message = status.errorMessage ?? "no message"
            let error = HiveError(.server, message, sqlState: status.sqlState, errorCode: status.errorCode)
            var mapped = HiveErrors.map(error, which)
            mapped.message = "\(which) failed: " + mapped.message
            return .failed(mapped)
        case .canceled:
            return .failed(.user("\(which) was cancelled on the Hive server", code: "Cancelled"))
        case .timedOut:
            return .failed(
                .user("\(which) exceeded its query_timeout on the Hive server", code: "QueryTimeout", retryable: true))
        case .closed:
            return .failed(
                .system(
                    "\(which) was closed on the Hive server before it finished", code: "OperationLost", retryable: true)
            )
        }
        let spec = try HiveTaskSpec(context.task)
        if state.statement + 1 < state.statements {
            let sql = try statements(context, spec)
            try? client.closeOperation(state.operation)
            let next = state.statement + 1
            // The same window as submit's: a crash between this execute and the stored state runs it again.
            state.operation = try HiveErrors.call("statement \(next + 1)") { () throws(HiveError) in
                try client.executeStatement(
                    state.session, sql[next], runAsync: true, queryTimeoutSeconds: spec.queryTimeout)
            }
            state.statement = next
            host.log(
                .info, "hive: statement \(next + 1) of \(state.statements) is operation \(state.operation.id.uuid)",
                task: call.executionID)
            return .running(
                pollAfter: .zero, status: "statement \(next + 1) of \(state.statements): started", state: state.bytes)
        }
        var types = context.task.interface.outputs
        var table: LiteralMap = [:]
        if let name = spec.tableOutput {
            types[name] = nil
            table[name] = .string((connection.database.map { $0 + "." } ?? "") + Self.tableName(context))
        }
        let outputs = try HiveOutputs.collect(
            client, state.operation, types: types, outDirectory: outDirectory(context),
            fetchSize: spec.fetchSize ?? connection.fetchSize,
            log: { [host] in host.log(.info, "hive: " + $0, task: call.executionID) })
        try? client.closeOperation(state.operation)
        return .succeeded(outputs.merging(table) { a, _ in a })
    }

    public func abort(_ call: TaskCall) throws(PluginError) {
        guard !call.state.isEmpty else { return }
        let state = try HiveState(call.state)
        // binary: gone with its connection
        guard let client = try connections.client(for: state.session) else { return }
        do { try client.cancelOperation(state.operation) } catch {
            if error.kind == .invalidHandle { return }  // gone already
            throw HiveErrors.map(error, "CancelOperation")
        }
        host.log(.info, "hive: cancelled operation \(state.operation.id.uuid)", task: call.executionID)
    }

    public func finalize(_ call: TaskCall) throws(PluginError) {
        guard !call.state.isEmpty, let state = try? HiveState(call.state) else { return }
        // Closing the session closes its operations; a session the server forgot is fine.
        if let client = try? connections.client(for: state.session) { try? client.closeSession(state.session) }
        connections.release(state.session)
    }

    /// `<attempt dir>/out`, from the node's output prefix; nil when that is not a local directory (an S3 blob
    /// store: datasets are written locally only, so far).
    private func outDirectory(_ context: TaskContext) -> String? {
        var prefix = context.outputPrefix
        guard prefix.hasPrefix("file://") else { return nil }
        prefix.removeFirst("file://".count)
        while prefix.hasSuffix("/") { prefix.removeLast() }
        return prefix + "/out"
    }
}

@_cdecl("aloft_plugin_entry")
public func aloftPluginEntry(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(HivePlugin.self, host: host)
}
