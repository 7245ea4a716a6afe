import Foundation
import PluginKit

/// A Spark task's declaration (the task's `config`), read once and checked: what `check` reports at compile
/// time and what submit builds a job from. See docs/spark.md for the fields.
struct SparkJobSpec: Sendable {
    static let backends = ["local", "standalone", "kubernetes"]
    static let keys = [
        "application", "main_class", "args", "spark_conf", "hadoop_conf", "driver", "executor", "backend",
        "master", "local_cores", "py_files", "jars", "env",
    ]

    var application = ""
    var mainClass: String?
    var args: [String] = []
    var sparkConf: [(String, String)] = []
    var hadoopConf: [(String, String)] = []
    var driver = Resources()
    var executor = Resources()
    var backend: String?
    var master: String?
    var localCores: Int?
    var pyFiles: [String] = []
    var jars: [String] = []
    var env: [String: String] = [:]

    struct Resources: Sendable {
        var cores: Int?
        var memory: String?
        var instances: Int?
    }

    var isPython: Bool { application.hasSuffix(".py") }

    /// Reads the config, collecting every problem with its path; the spec is usable only when there are none.
    init(_ task: TaskTemplate, problems: inout [TaskProblem]) {
        let inputs = task.interface.inputs
        guard let config = task.config.objectValue else {
            problems.append(TaskProblem("config must be a mapping with at least \"application\"", at: "config"))
            return
        }
        for key in config.keys.sorted() where !Self.keys.contains(key) {
            problems.append(
                TaskProblem(
                    "unknown key \"\(key)\" in a Spark task's config; expected one of \(Self.keys.joined(separator: ", "))",
                    at: "config", .key(key)))
        }
        func string(_ key: String) -> String? {
            guard let v = config[key] else { return nil }
            guard let s = v.stringValue else {
                problems.append(TaskProblem("\(key) must be a string, found \(v.kindName)", at: "config", .key(key)))
                return nil
            }
            return s
        }
        func strings(_ key: String, templates: Bool) -> [String] {
            guard let v = config[key] else { return [] }
            guard let items = v.arrayValue else {
                problems.append(
                    TaskProblem("\(key) must be a list of strings, found \(v.kindName)", at: "config", .key(key)))
                return []
            }
            var out: [String] = []
            for (i, item) in items.enumerated() {
                guard let s = Self.scalarText(item) else {
                    problems.append(
                        TaskProblem(
                            "\(key)[\(i)] must be a string, found \(item.kindName)", at: "config", .key(key), .index(i))
                    )
                    continue
                }
                if templates, let problem = Self.placeholderProblem(s, inputs: inputs) {
                    problems.append(TaskProblem(problem, at: "config", .key(key), .index(i)))
                }
                out.append(s)
            }
            return out
        }
        func stringMap(_ key: String) -> [(String, String)] {
            guard let v = config[key] else { return [] }
            guard let members = v.objectValue else {
                problems.append(
                    TaskProblem(
                        "\(key) must be a mapping of names to strings, found \(v.kindName)", at: "config", .key(key)))
                return []
            }
            var out: [(String, String)] = []
            for name in members.keys.sorted() {
                guard let s = Self.scalarText(members[name]!) else {
                    problems.append(
                        TaskProblem(
                            "\(key) \"\(name)\" must be a string, found \(members[name]!.kindName)",
                            at: "config", .key(key), .key(name)))
                    continue
                }
                out.append((name, s))
            }
            return out
        }

        if let app = string("application") {
            application = app
            if app.isEmpty {
                problems.append(TaskProblem("application must name a .py file or a .jar", at: "config", "application"))
            }
        } else if config["application"] == nil {
            problems.append(TaskProblem("a Spark task needs \"application\": a Python file or a jar", at: "config"))
        }
        mainClass = string("main_class")
        if !application.isEmpty {
            if application.hasSuffix(".jar") {
                if mainClass == nil {
                    problems.append(TaskProblem("a jar application needs \"main_class\"", at: "config", "application"))
                }
            } else if !isPython {
                problems.append(
                    TaskProblem(
                        "application \"\(application)\" must be a .py file or a .jar", at: "config", "application"))
            }
            if Self.isLocalPath(application) && !FileManager.default.fileExists(atPath: Self.localPath(application)) {
                problems.append(
                    TaskProblem(
                        "application \(application) does not exist (relative paths are taken from the directory "
                            + "aloft runs in; use {{spec_dir}}/FILE for a file beside the spec)", at: "config",
                        "application"))
            }
        }
        args = strings("args", templates: true)
        sparkConf = stringMap("spark_conf")
        hadoopConf = stringMap("hadoop_conf")
        pyFiles = strings("py_files", templates: false)
        jars = strings("jars", templates: false)
        env = Dictionary(stringMap("env"), uniquingKeysWith: { a, _ in a })
        driver = Self.resources(config["driver"], "driver", allowInstances: false, &problems)
        executor = Self.resources(config["executor"], "executor", allowInstances: true, &problems)
        backend = string("backend")
        if let b = backend, !Self.backends.contains(b) {
            problems.append(
                TaskProblem(
                    "unknown Spark backend \"\(b)\"; expected one of \(Self.backends.joined(separator: ", "))",
                    at: "config", "backend"))
        }
        master = string("master")
        if let m = master, !m.hasPrefix("spark://") {
            problems.append(TaskProblem("master must read spark://HOST:PORT, found \"\(m)\"", at: "config", "master"))
        }
        if let v = config["local_cores"] {
            if let n = v.integerValue, n > 0 {
                localCores = Int(n)
            } else {
                problems.append(TaskProblem("local_cores must be a whole number above 0", at: "config", "local_cores"))
            }
        }
    }

    private static func resources(
        _ value: JSON?, _ key: String, allowInstances: Bool, _ problems: inout [TaskProblem]
    ) -> Resources {
        guard let value else { return Resources() }
        guard let m = value.objectValue else {
            problems.append(
                TaskProblem(
                    "\(key) must be a mapping of cores, memory\(allowInstances ? " and instances" : "")", at: "config",
                    .key(key)))
            return Resources()
        }
        var r = Resources()
        let allowed = allowInstances ? ["cores", "memory", "instances"] : ["cores", "memory"]
        for k in m.keys.sorted() where !allowed.contains(k) {
            problems.append(
                TaskProblem(
                    "unknown key \"\(k)\" in \(key); expected \(allowed.joined(separator: ", "))", at: "config",
                    .key(key), .key(k)))
        }
        for k in ["cores", "instances"] where allowed.contains(k) {
            guard let v = m[k] else { continue }
            if let n = v.integerValue, n > 0 {
                if k == "cores" { r.cores = Int(n) } else { r.instances = Int(n) }
            } else {
                problems.append(
                    TaskProblem("\(key) \(k) must be a whole number above 0", at: "config", .key(key), .key(k)))
            }
        }
        if let v = m["memory"] {
            // Spark's own notation: a number with an optional k, m, g or t suffix (JVM sizes).
            let text = scalarText(v) ?? ""
            if text.range(of: #"^[0-9]+[kKmMgGtT]?$"#, options: .regularExpression) != nil {
                r.memory = text.lowercased()
            } else {
                problems.append(
                    TaskProblem(
                        "\(key) memory must read like 512m or 2g, found \(JSONWriter.string(v))",
                        at: "config", .key(key), "memory"))
            }
        }
        return r
    }

    /// A scalar as Spark configuration text; nil for lists, mappings and null.
    static func scalarText(_ j: JSON) -> String? {
        switch j {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .float(let f): return String(f)
        case .bool(let b): return String(b)
        default: return nil
        }
    }

    /// Placeholders an argument may use: `{{inputs.NAME}}` naming an input, `{{input_file}}`, `{{output_dir}}`.
    static func placeholderProblem(_ text: String, inputs: TypeMap) -> String? {
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { return "unclosed \"{{\" in \"\(text)\"" }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("inputs.") {
                let input = String(name.dropFirst("inputs.".count))
                if inputs[input] == nil {
                    return
                        "{{\(name)}} names no input of the task; inputs: \(inputs.keys.sorted().joined(separator: ", "))"
                }
            } else if name != "input_file" && name != "output_dir" {
                return "unknown placeholder {{\(name)}}; expected {{inputs.NAME}}, {{input_file}} or {{output_dir}}"
            }
            rest = rest[close.upperBound...]
        }
        return nil
    }

    static func isLocalPath(_ s: String) -> Bool { !s.contains("://") || s.hasPrefix("file://") }
    static func localPath(_ s: String) -> String { s.hasPrefix("file://") ? String(s.dropFirst("file://".count)) : s }
}
