import AloftGoogle
import PluginKit

/// A query task's `config`, read and checked: what `jobs.insert` is given. Every problem carries its place in
/// the task template, so `check` can report them all at compile time and `submit` can refuse with the first.
///
///     config:
///       query: SELECT ... WHERE day = @day     # inputs are named query parameters (@name)
///       project: my-project                    # default: the plugin config's, else the key's project_id
///       location: US
///       destination: {dataset: d, table: t}   # optional (project defaults to the job's); default: a temporary table
///       write_disposition: WRITE_TRUNCATE      # WRITE_APPEND, WRITE_EMPTY (needs a destination)
///       create_disposition: CREATE_IF_NEEDED   # CREATE_NEVER
///       priority: INTERACTIVE                  # BATCH
///       labels: {team: data}
///       maximum_bytes_billed: 1000000000
///       use_query_cache: true
struct QueryJobDefinition: Sendable {
    var query = ""
    var project: String?
    var location: String?
    var destination: (project: String?, dataset: String, table: String)?
    var writeDisposition: String?
    var createDisposition: String?
    var priority: String?
    var labels: [String: String] = [:]
    var maximumBytesBilled: Int64?
    var useQueryCache: Bool?

    static let keys: Set<String> = [
        "query", "project", "location", "destination", "write_disposition", "create_disposition", "priority", "labels",
        "maximum_bytes_billed", "use_query_cache",
    ]
    static let writeDispositions = ["WRITE_TRUNCATE", "WRITE_APPEND", "WRITE_EMPTY"]
    static let createDispositions = ["CREATE_IF_NEEDED", "CREATE_NEVER"]
    static let priorities = ["INTERACTIVE", "BATCH"]

    /// The definition, and every problem found in the config (the definition is only usable without any).
    static func read(_ config: JSON) -> (QueryJobDefinition, [TaskProblem]) {
        var d = QueryJobDefinition()
        var problems: [TaskProblem] = []
        func problem(_ message: String, _ path: TaskPathComponent...) {
            problems.append(TaskProblem(at: ["config"] + path, message))
        }
        guard let object = config.objectValue else {
            return (d, [TaskProblem(at: ["config"], "a BigQuery task needs a config mapping with at least a query")])
        }
        for key in object.keys.sorted() where !keys.contains(key) {
            problem(
                "unknown BigQuery task field \"\(key)\" (known: \(keys.sorted().joined(separator: ", ")))", .key(key))
        }
        func text(_ key: String) -> String? {
            guard let v = object[key] else { return nil }
            guard let s = v.stringValue, !s.isEmpty else {
                problem("\(key) must be a non-empty string, not \(v.kindName)", .key(key))
                return nil
            }
            return s
        }
        func choice(_ key: String, _ allowed: [String]) -> String? {
            guard let s = text(key) else { return nil }
            guard allowed.contains(s.uppercased()) else {
                problem(
                    "unknown \(key.replacingUnderscores()) \"\(s)\"; expected one of \(allowed.joined(separator: ", "))",
                    .key(key))
                return nil
            }
            return s.uppercased()
        }
        if let q = text("query") {
            d.query = q
        } else if object["query"] == nil {
            problem("a BigQuery task needs config.query (the SQL to run)")
        }
        d.project = text("project")
        d.location = text("location")
        d.writeDisposition = choice("write_disposition", writeDispositions)
        d.createDisposition = choice("create_disposition", createDispositions)
        d.priority = choice("priority", priorities)
        if let v = object["maximum_bytes_billed"] {
            if let n = v.integerValue, n > 0 {
                d.maximumBytesBilled = n
            } else {
                problem("maximum_bytes_billed must be a positive integer (bytes), not \(v)", "maximum_bytes_billed")
            }
        }
        if let v = object["use_query_cache"] {
            if let b = v.boolValue {
                d.useQueryCache = b
            } else {
                problem("use_query_cache must be true or false", "use_query_cache")
            }
        }
        if let v = object["labels"] {
            if let labels = v.objectValue {
                for (k, value) in labels.sorted(by: { $0.key < $1.key }) {
                    if let s = value.stringValue ?? value.integerValue.map({ String($0) }) {
                        guard Self.isLabel(k, key: true), Self.isLabel(s, key: false) else {
                            problem(
                                "label \(k): \(s): keys and values are lowercase letters, digits, _ and - (at most 63; keys start with a letter)",
                                "labels", .key(k))
                            continue
                        }
                        d.labels[k] = s
                    } else {
                        problem("label \(k) must be a string", "labels", .key(k))
                    }
                }
            } else {
                problem("labels must be a mapping of strings", "labels")
            }
        }
        if let v = object["destination"] {
            if let dest = v.objectValue {
                let dataset = dest["dataset"]?.stringValue
                let table = dest["table"]?.stringValue
                for key in dest.keys.sorted() where !["project", "dataset", "table"].contains(key) {
                    problem(
                        "unknown destination field \"\(key)\" (known: project, dataset, table)", "destination",
                        .key(key))
                }
                if dataset == nil { problem("destination needs a dataset", "destination") }
                if table == nil { problem("destination needs a table", "destination") }
                if let dataset, let table { d.destination = (dest["project"]?.stringValue, dataset, table) }
            } else if v.stringValue != "temporary" {
                problem("destination must be {dataset, table} or \"temporary\"", "destination")
            }
        }
        if d.destination == nil, let w = d.writeDisposition, w != "WRITE_EMPTY" {
            problem("write_disposition \(w) needs a destination table (config.destination)", "write_disposition")
        }
        return (d, problems)
    }

    static func isLabel(_ s: String, key: Bool) -> Bool {
        guard s.utf8.count <= 63, !(key && s.isEmpty) else { return false }
        if key, let first = s.unicodeScalars.first, !(first >= "a" && first <= "z") { return false }
        return s.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-"
        }
    }

    /// The `jobs.insert` body: a query job under `jobID`, with the inputs as named parameters.
    func job(
        jobID: String, project: String, location: String?, inputs: LiteralMap, types: TypeMap, taskExecutionID: String
    ) throws(PluginError) -> JSON {
        var query: [String: JSON] = [
            "query": .string(try TableInputs.substitute(self.query, inputs: inputs)), "useLegacySql": .bool(false),
        ]
        let parameterNames = types.keys.filter { !TableInputs.isTable(types[$0]!) }.sorted()
        if !parameterNames.isEmpty {
            var parameters: [JSON] = []
            for name in parameterNames {
                do {
                    parameters.append(
                        try QueryParameters.parameter(name: name, value: inputs[name] ?? .none, type: types[name]!))
                } catch {
                    throw .user(error.message, code: "BadParameter")
                }
            }
            query["parameterMode"] = .string("NAMED")
            query["queryParameters"] = .array(parameters)
        }
        if let destination {
            query["destinationTable"] =
                TableReference(
                    project: destination.project ?? project, dataset: destination.dataset,
                    table: destination.table
                ).json
        }
        if let writeDisposition { query["writeDisposition"] = .string(writeDisposition) }
        if let createDisposition { query["createDisposition"] = .string(createDisposition) }
        if let priority { query["priority"] = .string(priority) }
        if let maximumBytesBilled { query["maximumBytesBilled"] = .string(String(maximumBytesBilled)) }
        if let useQueryCache { query["useQueryCache"] = .bool(useQueryCache) }
        var reference: [String: JSON] = ["projectId": .string(project), "jobId": .string(jobID)]
        if let location { reference["location"] = .string(location) }
        var labels = labels.mapValues(JSON.string)
        labels["aloft-task-execution"] = .string(taskExecutionID)
        return .object([
            "jobReference": .object(reference),
            "configuration": .object(["query": .object(query), "labels": .object(labels)]),
        ])
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
