import Foundation
public import PluginKit

/// The container task contract (docs/container-tasks.md): where a task finds its inputs and writes its
/// outputs, and how `{{...}}` placeholders in its command and arguments are filled.
///
///     <attempt dir>/work/              the task's working directory: stdout.log, stderr.log, exit_code
///     <attempt dir>/work/inputs.json   every input as a plain JSON value (blobs as local paths)
///     <attempt dir>/out/               the output directory; the task writes outputs.json here, or one
///                                      file per output named after it (a directory, for a dataset)
public struct TaskIO: Sendable {
    public let work: String
    public let out: String

    public init(outputPrefix: String, fallbackRoot: String, taskExecutionID: String) {
        let attempt =
            outputPrefix.hasPrefix("file://")
            ? String(outputPrefix.dropFirst("file://".count)).trimmingSuffix("/")
            : fallbackRoot + "/" + taskExecutionID
        work = attempt + "/work"
        out = attempt + "/out"
    }

    public func prepare(_ context: TaskContext) throws(PluginError) {
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let plain = JSON.object(context.inputs.mapValues { Self.localized($0).plain })
            try Data(JSONWriter.encode(plain)).write(to: URL(fileURLWithPath: work + "/inputs.json"))
        } catch {
            throw .system(
                "cannot prepare the task's directories under \(work): \(error.localizedDescription)", code: "Workspace")
        }
    }

    /// Fills `{{inputs.NAME}}`, `{{input_file}}` and `{{output_dir}}`.
    public func render(_ template: String, inputs: LiteralMap) throws(PluginError) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw .user("unclosed {{ in \"\(template)\"", code: "BadTemplate")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            switch name {
            case "input_file": out += work + "/inputs.json"
            case "output_dir": out += self.out
            default:
                guard name.hasPrefix("inputs."), let value = inputs[String(name.dropFirst("inputs.".count))] else {
                    throw .user("unknown placeholder {{\(name)}} in \"\(template)\"", code: "BadTemplate")
                }
                out += Self.text(Self.localized(value))
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// Reads the outputs the task wrote, checked against the interface: outputs.json, else one file per output.
    public func outputs(_ types: TypeMap) throws(PluginError) -> LiteralMap {
        let resolve = { (p: String) -> String in
            p.contains("://") ? p : "file://" + (p.hasPrefix("/") ? p : self.out + "/" + p)
        }
        var result: LiteralMap = [:]
        if let data = FileManager.default.contents(atPath: out + "/outputs.json") {
            let json: JSON
            do { json = try JSONParser.parse([UInt8](data)) } catch {
                throw .user("outputs.json is not valid JSON: \(error)", code: "BadOutputs")
            }
            guard let members = json.objectValue else {
                throw .user("outputs.json must be a JSON object of output names", code: "BadOutputs")
            }
            for (name, type) in types {
                guard let value = members[name] else { continue }
                do { result[name] = try Literal(plain: value, as: type, path: name, resolve: resolve) } catch {
                    throw .user("output \"\(name)\": \(error.reason) (in outputs.json)", code: "BadOutputs")
                }
            }
        }
        for (name, type) in types where result[name] == nil {
            let file = out + "/" + name
            guard FileManager.default.fileExists(atPath: file) else { continue }
            if case .blob = type {
                result[name] = .blob(BlobValue(uri: "file://" + file, type: type.blobType ?? BlobType()))
                continue
            }
            // A dataset is the file or directory itself (Spark writes a directory of part files).
            if case .dataset(let d) = type {
                result[name] = .dataset(DatasetValue(uri: "file://" + file, format: d.format))
                continue
            }
            let text =
                (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                ?? ""
            let json = (try? JSONParser.parse(text)) ?? .string(text)
            do { result[name] = try Literal(plain: json, as: type, path: name, resolve: resolve) } catch {
                throw .user("output \"\(name)\": \(error.reason) (in the file \(name))", code: "BadOutputs")
            }
        }
        let missing = types.keys.filter { result[$0] == nil && !(types[$0]!.isOptional) }.sorted()
        if !missing.isEmpty {
            throw .user(
                "the task did not write output\(missing.count == 1 ? "" : "s") \(missing.map { "\"\($0)\"" }.joined(separator: ", ")); "
                    + "write \(out)/outputs.json or one file per output", code: "MissingOutput")
        }
        return result
    }

    /// The variables every task gets, whatever runs it.
    public func aloftEnvironment(_ call: TaskCall, _ context: TaskContext) -> [String: String] {
        [
            "ALOFT_TASK_EXECUTION_ID": call.executionID, "ALOFT_EXECUTION": context.identity.execution,
            "ALOFT_NODE": context.identity.node,
            "ALOFT_ATTEMPT": String(call.attempt), "ALOFT_PROJECT": context.identity.project,
            "ALOFT_DOMAIN": context.identity.domain,
            "ALOFT_OUTPUT_DIR": out, "ALOFT_INPUT_FILE": work + "/inputs.json",
        ]
    }

    /// Every local file or directory the inputs name (blobs and datasets, also inside lists, maps and structs):
    /// what a container must see.
    public static func localPaths(_ inputs: LiteralMap) -> [String] {
        var paths: [String] = []
        func visit(_ l: Literal) {
            switch localized(l) {
            case .blob(let b) where b.uri.hasPrefix("/"): paths.append(b.uri)
            case .dataset(let d) where d.uri.hasPrefix("/"): paths.append(d.uri)
            case .list(let items): items.forEach(visit)
            case .map(let m): m.values.forEach(visit)
            default: break
            }
        }
        for key in inputs.keys.sorted() { visit(inputs[key]!) }
        return paths
    }

    /// Blob and dataset URIs of local files become plain paths for programs.
    public static func localized(_ l: Literal) -> Literal {
        switch l {
        case .blob(var b) where b.uri.hasPrefix("file://"):
            b.uri = String(b.uri.dropFirst("file://".count))
            return .blob(b)
        case .dataset(var d) where d.uri.hasPrefix("file://"):
            d.uri = String(d.uri.dropFirst("file://".count))
            return .dataset(d)
        case .list(let items): return .list(items.map(localized))
        case .map(let m): return .map(m.mapValues(localized))
        default: return l
        }
    }

    /// A value as one command-line argument.
    public static func text(_ l: Literal) -> String {
        switch l.plain {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .bool(let b): return String(b)
        case .null: return ""
        case let other: return JSONWriter.string(other)
        }
    }
}

extension LiteralType {
    public var isOptional: Bool {
        if case .union(let v) = self { return v.contains(.none) }
        return false
    }

    public var blobType: BlobType? {
        if case .blob(let b) = self { return b }
        return nil
    }
}

extension String {
    public func trimmingSuffix(_ s: String) -> String {
        var out = self
        while out.hasSuffix(s) { out.removeLast(s.count) }
        return out
    }
}
