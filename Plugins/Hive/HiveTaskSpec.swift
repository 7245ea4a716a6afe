import AloftHive
import PluginKit

/// A `hive` task's declaration (its `config:` mapping), checked at compile time by `problems` and read at
/// submit by `init`:
///   query:         one or more statements separated by `;`, with {{ inputs.NAME }} placeholders
///   hive_conf:     session settings (a mapping of names to scalars)
///   fetch_size:    rows per FetchResults call (default: the plugin config's)
///   query_timeout: seconds the server gives each statement (0: no limit)
///   table_output:  a string output that receives the name of the task's table, {{ output_table }}
struct HiveTaskSpec {
    var template: QueryTemplate
    var hiveConf: [String: String] = [:]
    var fetchSize: Int?
    var queryTimeout: Int64 = 0
    var tableOutput: String?

    static let keys: Set<String> = ["query", "hive_conf", "fetch_size", "query_timeout", "table_output"]

    init(_ task: TaskTemplate) throws(PluginError) {
        if let first = Self.problems(task).first {
            let place = first.path.map { c -> String in
                switch c {
                case .key(let k): return k
                case .index(let i): return String(i)
                }
            }.joined(separator: ".")
            throw .user("\(place): \(first.message)", code: "BadTask")
        }
        let config = task.config
        do { template = try QueryTemplate(config["query"]?.stringValue ?? "") } catch {
            throw .user("config.query: \(error.description)", code: "BadTask")
        }
        for (k, v) in config["hive_conf"]?.objectValue ?? [:] { hiveConf[k] = Self.scalarText(v) }
        fetchSize = config["fetch_size"]?.integerValue.map { Int($0) }
        queryTimeout = config["query_timeout"]?.integerValue ?? 0
        tableOutput = config["table_output"]?.stringValue
    }

    /// Every problem with the task's declaration, each at its place (for "aloft.task-check/1").
    static func problems(_ task: TaskTemplate) -> [TaskProblem] {
        var found: [TaskProblem] = []
        guard let config = task.config.objectValue else {
            return [TaskProblem("a hive task's config must be a mapping with a query", at: "config")]
        }
        for key in config.keys.sorted() where !keys.contains(key) {
            found.append(
                TaskProblem(
                    "unknown key \"\(key)\"; known: \(keys.sorted().joined(separator: ", "))", at: "config", .key(key)))
        }
        if let query = config["query"]?.stringValue, !query.isEmpty {
            do {
                let template = try QueryTemplate(query)
                for p in template.problems(inputs: task.interface.inputs) {
                    if let input = p.input {
                        found.append(TaskProblem(p.message, at: "interface", "inputs", .key(input)))
                    } else {
                        found.append(TaskProblem(p.message, at: "config", "query"))
                    }
                }
            } catch {
                found.append(TaskProblem(error.description, at: "config", "query"))
            }
        } else {
            found.append(
                TaskProblem(
                    config["query"] == nil ? "a hive task needs a query" : "query must be a non-empty string",
                    at: "config", "query"))
        }
        if let conf = config["hive_conf"] {
            if let object = conf.objectValue {
                for (k, v) in object.sorted(by: { $0.key < $1.key }) where scalarText(v) == nil {
                    found.append(
                        TaskProblem(
                            "a hive_conf value must be a string, number or boolean, not \(v.kindName)", at: "config",
                            "hive_conf", .key(k)))
                }
            } else {
                found.append(
                    TaskProblem("hive_conf must be a mapping of setting names to values", at: "config", "hive_conf"))
            }
        }
        if let v = config["fetch_size"], (v.integerValue ?? 0) < 1 {
            found.append(TaskProblem("fetch_size must be a positive integer", at: "config", "fetch_size"))
        }
        if let v = config["query_timeout"], (v.integerValue ?? -1) < 0 {
            found.append(
                TaskProblem(
                    "query_timeout must be a whole number of seconds (0: no limit)", at: "config", "query_timeout"))
        }
        let tableOutput = config["table_output"]?.stringValue
        if let v = config["table_output"] {
            if let name = tableOutput, let type = task.interface.outputs[name] {
                if type.unwrapped != .string {
                    found.append(
                        TaskProblem(
                            "table_output \"\(name)\" must be a string output (it receives the table's name), not \(type)",
                            at: "config", "table_output"))
                }
                if let query = config["query"]?.stringValue, let t = try? QueryTemplate(query), !t.usesOutputTable {
                    found.append(
                        TaskProblem(
                            "table_output is set but the query never writes {{ output_table }}", at: "config",
                            "table_output"))
                }
            } else {
                let outputs = task.interface.outputs.keys.sorted()
                found.append(
                    TaskProblem(
                        "table_output must name one of the task's outputs"
                            + (outputs.isEmpty ? "" : " (\(outputs.joined(separator: ", ")))")
                            + (v.stringValue == nil ? "" : "; \"\(v.stringValue!)\" is not one"), at: "config",
                        "table_output"))
            }
        }
        for (name, type) in task.interface.outputs.sorted(by: { $0.key < $1.key }) where name != tableOutput {
            if let why = HiveOutputs.unsupported(type) {
                found.append(TaskProblem("output \"\(name)\": \(why)", at: "interface", "outputs", .key(name)))
            }
        }
        return found
    }

    static func scalarText(_ v: JSON) -> String? {
        switch v {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .bool(let b): return String(b)
        default: return nil
        }
    }
}
