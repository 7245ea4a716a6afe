import AloftHive
import Foundation
import PluginKit

/// A task's outputs from its last statement's result: every `dataset` / `dataset<csv>` output is the whole
/// result as CSV under the attempt's output directory (`<out>/<name>/part-00000.csv`, with a header), every
/// `dataset<parquet>` output the same as Parquet (`part-00000.parquet`), and every scalar output is the column
/// of its name in a one-row result.
enum HiveOutputs {
    /// Why an output type cannot come from a query result; nil when it can.
    static func unsupported(_ type: LiteralType) -> String? {
        switch type {
        case .integer, .float, .string, .boolean, .datetime: return nil
        case .dataset(let d):
            return ["", "csv", "parquet"].contains(d.format)
                ? nil : "a hive task writes dataset<csv> or dataset<parquet>, not dataset<\(d.format)>"
        case .union(let variants):
            let others = variants.filter { $0 != .none }
            return others.count == 1 ? unsupported(others[0]) : "a union output cannot come from a query result"
        default:
            return
                "\(type) cannot come from a query result; use dataset<csv> for rows or a scalar type for a one-row result's column"
        }
    }

    static func collect(
        _ client: HiveClient, _ op: HiveOperation, types: TypeMap, outDirectory: String?, fetchSize: Int,
        log: (String) -> Void
    ) throws(PluginError) -> LiteralMap {
        guard !types.isEmpty else { return [:] }
        guard op.hasResultSet else {
            throw .user(
                "the last statement returned no result set, but the task declares outputs (\(types.keys.sorted().joined(separator: ", "))); "
                    + "end the query with a SELECT", code: "NoResult")
        }
        let columns = try HiveErrors.call("GetResultSetMetadata") { () throws(HiveError) in
            try client.resultSetMetadata(op)
        }
        let datasets = types.filter { if case .dataset = $0.value.unwrapped { return true } else { return false } }.keys
            .sorted()
        let scalars = types.keys.filter { !datasets.contains($0) }.sorted()
        var scalarColumns: [String: Int] = [:]
        for name in scalars {
            guard let i = columns.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
                if types[name]!.acceptsNone { continue }
                throw .user(
                    "output \"\(name)\" names no column of the result (columns: \(columns.map(\.name).joined(separator: ", ")))",
                    code: "MissingOutput")
            }
            scalarColumns[name] = i
        }
        // One file per format, in the directory of the first output that wants it; outputs share it.
        var writers: [String: any HiveResultWriter] = [:]
        var directories: [String: String] = [:]
        for name in datasets {
            let format = Self.format(types[name]!)
            guard writers[format] == nil else { continue }
            guard let outDirectory else {
                throw .user(
                    "dataset output \"\(name)\" needs a local blob store (file://); S3 blob stores are not supported by hive tasks yet",
                    code: "Unsupported")
            }
            let directory = outDirectory + "/" + name
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .system(
                    "cannot create \(directory): \(error.localizedDescription)", code: "Workspace", retryable: false)
            }
            directories[format] = directory
            writers[format] = try HiveErrors.call("writing the result") {
                () throws(HiveError) -> any HiveResultWriter in
                format == "parquet"
                    ? try HiveParquetWriter(path: directory + "/part-00000.parquet", columns: columns)
                    : try HiveCSVWriter(path: directory + "/part-00000.csv", columns: columns)
            }
        }
        var firstRow: HiveRowSet?
        var rows = 0
        // From the first row: a poll that failed half-way through an earlier fetch is simply polled again.
        var orientation = HiveClient.FetchOrientation.first
        while true {
            let (set, more) = try HiveErrors.call("FetchResults") { () throws(HiveError) in
                try client.fetchResults(op, maxRows: Int64(fetchSize), orientation: orientation)
            }
            orientation = .next
            if set.rowCount > 0 && firstRow == nil { firstRow = set }
            rows += set.rowCount
            for writer in writers.values {
                try HiveErrors.call("writing the result") { () throws(HiveError) in try writer.append(set) }
            }
            if !more || set.rowCount == 0 { break }
        }
        for writer in writers.values {
            try HiveErrors.call("writing the result") { () throws(HiveError) in try writer.finish() }
        }
        log("fetched \(rows) row\(rows == 1 ? "" : "s") of \(columns.count) column\(columns.count == 1 ? "" : "s")")
        var result: LiteralMap = [:]
        for name in datasets {
            let format = Self.format(types[name]!)
            result[name] = .dataset(DatasetValue(uri: "file://" + directories[format]!, format: format))
        }
        if !scalarColumns.isEmpty {
            guard rows == 1, let set = firstRow else {
                throw .user(
                    "scalar outputs (\(scalarColumns.keys.sorted().joined(separator: ", "))) need a one-row result; the query returned \(rows) rows",
                    code: "NotOneRow")
            }
            for (name, i) in scalarColumns {
                result[name] = try scalar(set, column: i, as: types[name]!, output: name)
            }
        }
        return result
    }

    /// A dataset output's file format: parquet when it says so, else CSV.
    static func format(_ type: LiteralType) -> String {
        if case .dataset(let d) = type.unwrapped, d.format == "parquet" { return "parquet" }
        return "csv"
    }

    /// Row 0 of a column as a literal of the output's type.
    static func scalar(
        _ set: HiveRowSet, column i: Int, as type: LiteralType, output: String
    ) throws(PluginError) -> Literal {
        let column = set.columns[i]
        if column.isNull(0) {
            guard type.acceptsNone else {
                throw .user(
                    "output \"\(output)\" is NULL in the result but its type \(type) is not optional",
                    code: "BadOutputs")
            }
            return .none
        }
        let number: Double?, integer: Int64?, text: String
        switch column.values {
        case .bool(let v): (number, integer, text) = (nil, nil, String(v[0]))
        case .byte(let v): (number, integer, text) = (Double(v[0]), Int64(v[0]), String(v[0]))
        case .i16(let v): (number, integer, text) = (Double(v[0]), Int64(v[0]), String(v[0]))
        case .i32(let v): (number, integer, text) = (Double(v[0]), Int64(v[0]), String(v[0]))
        case .i64(let v): (number, integer, text) = (Double(v[0]), v[0], String(v[0]))
        case .double(let v): (number, integer, text) = (v[0], nil, String(v[0]))
        case .string(let r), .binary(let r):
            text = set.string(r[0])
            (number, integer) = (Double(text), Int64(text))
        }
        let bad = PluginError.user(
            "output \"\(output)\": the result's \"\(text)\" is not a \(type.unwrapped)", code: "BadOutputs")
        switch type.unwrapped {
        case .integer:
            guard let integer else { throw bad }
            return .integer(integer)
        case .float:
            guard let number else { throw bad }
            return .float(number)
        case .boolean:
            guard let b = Bool(text.lowercased()) else { throw bad }
            return .boolean(b)
        case .datetime:
            // The server prints TIMESTAMP values in its session time zone, without one; Aloft reads them as UTC.
            var iso = text.replacingOccurrences(of: " ", with: "T")
            if !iso.hasSuffix("Z") && !iso.contains("+") { iso += "Z" }
            if iso.count == 11 { iso = String(iso.dropLast()) + "T00:00:00Z" }  // a DATE
            guard let t = Timestamp(rfc3339: iso) else { throw bad }
            return .datetime(t)
        default:
            return .string(text)
        }
    }
}

extension LiteralType {
    /// The type inside an optional.
    var unwrapped: LiteralType {
        if case .union(let variants) = self {
            let others = variants.filter { $0 != .none }
            if others.count == 1 { return others[0] }
        }
        return self
    }
}
