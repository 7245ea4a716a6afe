import AloftGoogle
import Foundation
import PluginKit

/// A finished query job's outputs, matched to the task's interface by type and name:
///   - a dataset / dataset<bigquery> output: the destination table, `bq://project.dataset.table` (its declared
///     columns are checked against the table's schema);
///   - a dataset<csv> output: every result row, paged through getQueryResults, written under the node's
///     output prefix as `<output>.csv`;
///   - `job_id` (string): the job's id;
///   - any other output: the column of that name in a result of exactly one row.
struct QueryJobOutputs {
    let client: BigQueryClient
    let state: JobState
    let job: JSON
    let types: TypeMap
    let outputPrefix: String

    /// Rows per getQueryResults page.
    static let pageSize = 10_000

    func read() throws(PluginError) -> LiteralMap {
        var out: LiteralMap = [:]
        var columnOutputs: [String] = []
        // A DDL statement's table is its target (real BigQuery); a query's is its destination or temporary table.
        let table =
            TableReference(json: job["statistics"]?["query"]?["ddlTargetTable"])
            ?? TableReference(json: job["configuration"]?["query"]?["destinationTable"])
        for (name, type) in types.sorted(by: { $0.key < $1.key }) {
            switch type {
            case .dataset(let d) where d.format == "csv":
                out[name] = .dataset(DatasetValue(uri: try writeCSV(name), format: "csv"))
            case .dataset(let d):
                guard let table else {
                    throw .user(
                        "BigQuery job \(state.jobID) has no destination table for output \"\(name)\" (a script or DDL statement?)",
                        code: "NoTable")
                }
                if !d.columns.isEmpty { try checkColumns(d.columns, of: table, output: name) }
                out[name] = .dataset(DatasetValue(uri: table.uri, format: "bigquery"))
            default:
                if name == "job_id", type == .string || type == .optional(.string) {
                    out[name] = .string(state.jobID)
                } else {
                    columnOutputs.append(name)
                }
            }
        }
        guard !columnOutputs.isEmpty else { return out }
        let page = try call { () throws(BigQueryError) in
            try client.queryResults(
                project: state.project, jobID: state.jobID, location: state.location, pageToken: nil, maxResults: 2)
        }
        let fields = QueryResults.columns(page["schema"])
        let rows = page["rows"]?.arrayValue ?? []
        guard rows.count == 1 else {
            throw .user(
                "BigQuery job \(state.jobID) returned \(rows.count == 0 ? "no rows" : "more than one row"); outputs "
                    + "\(columnOutputs.map { "\"\($0)\"" }.joined(separator: ", ")) come from the columns of a one-row result",
                code: "NotOneRow")
        }
        let cells = QueryResults.cells(rows[0])
        for name in columnOutputs {
            guard let i = fields.firstIndex(where: { $0["name"]?.stringValue == name }), i < cells.count else {
                if types[name]!.acceptsNone {
                    out[name] = Literal.none
                    continue
                }
                throw .user(
                    "BigQuery job \(state.jobID)'s result has no column \"\(name)\" for the output of that name; its columns: "
                        + fields.compactMap { $0["name"]?.stringValue }.joined(separator: ", "), code: "MissingOutput")
            }
            do { out[name] = try QueryResults.literal(cells[i], field: fields[i], as: types[name]!) } catch {
                throw .user("output \"\(name)\" of BigQuery job \(state.jobID): \(error.message)", code: "BadOutput")
            }
        }
        return out
    }

    /// Every row of the result, page by page, as CSV under the output prefix.
    private func writeCSV(_ name: String) throws(PluginError) -> String {
        guard outputPrefix.hasPrefix("file://") else {
            throw .user(
                "output \"\(name)\" (dataset<csv>) is written to a local blob store; this node's is \(outputPrefix). "
                    + "Use a dataset<bigquery> output to pass the table instead", code: "UnsupportedBlobStore")
        }
        var csv: CSVText?
        var token: String?
        repeat {
            let page = try call { () throws(BigQueryError) in
                try client.queryResults(
                    project: state.project, jobID: state.jobID, location: state.location, pageToken: token,
                    maxResults: Self.pageSize)
            }
            let fields = QueryResults.columns(page["schema"])
            if csv == nil { csv = CSVText(header: fields.map { $0["name"]?.stringValue ?? "" }) }
            for row in page["rows"]?.arrayValue ?? [] {
                let cells = QueryResults.cells(row)
                csv!.append(zip(cells, fields).map { QueryResults.csvText($0, field: $1) })
            }
            token = page["pageToken"]?.stringValue
        } while token != nil
        let uri = outputPrefix + name + ".csv"
        let path = String(uri.dropFirst("file://".count))
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(csv?.bytes ?? []).write(to: URL(fileURLWithPath: path))
        } catch {
            throw .system("cannot write \(path): \(error.localizedDescription)", code: "BlobWrite", retryable: true)
        }
        return uri
    }

    /// The declared columns must be in the table, with a BigQuery type that gives the declared one.
    private func checkColumns(
        _ columns: [DatasetType.Column], of table: TableReference, output: String
    ) throws(PluginError) {
        let meta = try call { () throws(BigQueryError) in try client.table(table) }
        let fields = QueryResults.columns(meta["schema"])
        for c in columns {
            guard let f = fields.first(where: { $0["name"]?.stringValue == c.name }) else {
                throw .user(
                    "output \"\(output)\": table \(table) has no column \"\(c.name)\"; its columns: "
                        + fields.compactMap { $0["name"]?.stringValue }.joined(separator: ", "), code: "SchemaMismatch")
            }
            let bq = f["type"]?.stringValue ?? ""
            guard Self.gives(bq, c.type) else {
                throw .user(
                    "output \"\(output)\": column \"\(c.name)\" of \(table) is \(bq), declared \(c.type)",
                    code: "SchemaMismatch")
            }
        }
    }

    static func gives(_ bq: String, _ type: LiteralType) -> Bool {
        switch type {
        case .integer: return ["INTEGER", "INT64"].contains(bq)
        case .float: return ["FLOAT", "FLOAT64", "NUMERIC", "BIGNUMERIC", "INTEGER", "INT64"].contains(bq)
        case .string, .enumeration: return ["STRING"].contains(bq)
        case .boolean: return ["BOOLEAN", "BOOL"].contains(bq)
        case .datetime: return ["TIMESTAMP", "DATETIME", "DATE"].contains(bq)
        case .union(let v): return v.contains { $0 != .none && gives(bq, $0) }
        default: return true
        }
    }

    private func call(_ body: () throws(BigQueryError) -> JSON) throws(PluginError) -> JSON {
        do { return try body() } catch { throw PluginError(error) }
    }
}
