import AloftGoogle
import PluginKit

/// Which inputs and outputs a query task can have: every input must be a BigQuery query parameter type;
/// outputs are the result table (dataset / dataset<bigquery>), its rows as a CSV file (dataset<csv>), the
/// job id (job_id: string), or scalars (and lists) taken from the columns of a one-row result.
enum InterfaceCheck {
    static func problems(_ interface: TaskInterface) -> [TaskProblem] {
        var problems: [TaskProblem] = []
        for (name, type) in interface.inputs.sorted(by: { $0.key < $1.key })
        where QueryParameters.parameterType(type) == nil && !TableInputs.isTable(type) {
            problems.append(
                TaskProblem(
                    at: ["interface", "inputs", .key(name)],
                    "input \"\(name)\" is a \(type), which has no BigQuery query parameter type; inputs must be integer (INT64), "
                        + "float (FLOAT64), string or enum (STRING), boolean (BOOL), datetime (TIMESTAMP), a list of one of those (ARRAY), "
                        + "or optional; or a table, dataset<bigquery>, used in the query as {{inputs.\(name)}}"))
        }
        for (name, type) in interface.outputs.sorted(by: { $0.key < $1.key }) {
            if let why = unsupported(output: type) {
                problems.append(
                    TaskProblem(at: ["interface", "outputs", .key(name)], "output \"\(name)\" is a \(type): \(why)"))
            }
        }
        return problems
    }

    /// Why an output type cannot come from a query job; nil when it can.
    static func unsupported(output type: LiteralType) -> String? {
        switch type {
        case .dataset(let d):
            switch d.format {
            case "", "bigquery", "csv": return nil
            default:
                return
                    "a query's result can be a dataset<bigquery> (the table) or a dataset<csv> (its rows); \(d.format) is not supported"
            }
        case .integer, .float, .string, .boolean, .datetime, .enumeration: return nil
        case .list(let e):
            return unsupported(output: e) == nil && !isDataset(e) ? nil : "only lists of scalars can come from a column"
        case .union(let variants):
            let rest = variants.filter { $0 != .none }
            if rest.count == 1, !isDataset(rest[0]) { return unsupported(output: rest[0]) }
            return "only optional scalars can come from a column"
        default:
            return
                "outputs are the result table (dataset<bigquery>), its rows (dataset<csv>), job_id, or columns of a one-row result "
                + "(integer, float, string, boolean, datetime, enum, or lists and optionals of those)"
        }
    }

    static func isDataset(_ t: LiteralType) -> Bool { if case .dataset = t { true } else { false } }
}
