import AloftTyping
import AloftWire
import Foundation
import LocatedYAML

/// Which task types can run: the plugin router's answer, so that an unknown type is a compile error.
public protocol TaskTypeResolver: Sendable {
    func serves(_ taskType: String) -> Bool
    /// Why the type is not served, listing what is.
    func explainUnserved(_ taskType: String) -> String
}

/// Accepts every task type: for tools that check specs without plugins.
public struct AnyTaskType: TaskTypeResolver {
    public init() {}
    public func serves(_ taskType: String) -> Bool { true }
    public func explainUnserved(_ taskType: String) -> String { "" }
}

/// The outcome of compiling spec files: the checked specs, or every error with its place.
public struct CompilationResult: Sendable {
    public var spec: CompiledSpec?
    public var diagnostics: [Diagnostic]
}

/// Spec files -> `CompiledSpec`. Reports all errors of all files at once; never traps on any input.
public struct Compiler: Sendable {
    public let resolver: any TaskTypeResolver

    public init(resolver: any TaskTypeResolver = AnyTaskType()) { self.resolver = resolver }

    /// Compiles files from disk, following their imports.
    public func compile(files: [String]) -> CompilationResult {
        var loader = SpecLoader()
        for f in files { loader.load(path: f, from: nil) }
        return compile(loader.specs, loaderDiagnostics: loader.d, files: loader.order)
    }

    /// Compiles one document held in memory (imports are read from disk relative to `path`).
    public func compile(text: String, path: String) -> CompilationResult {
        var loader = SpecLoader()
        loader.load(text: text, path: path)
        return compile(loader.specs, loaderDiagnostics: loader.d, files: loader.order)
    }

    private func compile(_ specs: [SpecFile], loaderDiagnostics: Diagnostics, files: [String]) -> CompilationResult {
        var d = loaderDiagnostics
        var symbols = SymbolTable()
        for spec in specs { symbols.add(spec, &d) }

        var tasks: [String: CompiledTask] = [:]
        for (name, task) in symbols.tasks {
            if let t = TaskChecker(resolver: resolver).check(task, &d) { tasks[name] = t }
        }
        var workflows: [String: CompiledWorkflow] = [:]
        for (name, workflow) in symbols.workflows {
            var checker = WorkflowChecker(symbols: symbols, tasks: tasks)
            if let w = checker.check(workflow) { workflows[name] = w }
            d.all += checker.d.all
        }
        WorkflowChecker.checkRecursion(symbols.workflows, &d)
        let diagnostics = d.sorted
        return CompilationResult(
            spec: diagnostics.isEmpty ? CompiledSpec(tasks: tasks, workflows: workflows, files: files) : nil,
            diagnostics: diagnostics)
    }
}

/// Reads spec files and their imports (relative to the importing file), each once; reports missing files,
/// unreadable ones and import cycles.
struct SpecLoader {
    var specs: [SpecFile] = []
    var order: [String] = []
    var d = Diagnostics()
    private var loaded = Set<String>()
    private var inProgress: [String] = []

    mutating func load(path: String, from importer: Located<String>?) {
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        if inProgress.contains(full) {
            let chain = (inProgress.drop { $0 != full } + [full]).map { ($0 as NSString).lastPathComponent }
            d.error(importer!.location, "import cycle: \(chain.joined(separator: " -> "))")
            return
        }
        guard !loaded.contains(full) else { return }
        guard let data = FileManager.default.contents(atPath: full) else {
            if let importer {
                d.error(importer.location, "cannot read imported file \"\(importer.value)\" (\(full))")
            } else {
                d.error(SourceLocation(file: path, line: 0, column: 0), "cannot read the file (missing or not readable)")
            }
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            d.error(SourceLocation(file: path, line: 1, column: 1), "the file is not UTF-8 text")
            return
        }
        load(text: text, path: importer == nil ? path : full)
    }

    mutating func load(text: String, path: String) {
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        loaded.insert(full)
        order.append(path)
        let root: LocatedValue?
        do { root = try YAMLDocument.parse(text, file: path) } catch {
            d.add(error)
            return
        }
        guard let root else {
            d.error(SourceLocation(file: path, line: 1, column: 1), "the spec is empty; expected \"tasks\" and/or \"workflows\"")
            return
        }
        var parser = SpecParser()
        let spec = parser.parse(root, path: path)
        d.all += parser.d.all
        specs.append(spec)
        inProgress.append(full)
        let dir = (full as NSString).deletingLastPathComponent
        for imp in spec.imports {
            let target = imp.value.hasPrefix("/") ? imp.value : (dir as NSString).appendingPathComponent(imp.value)
            load(path: target, from: imp)
        }
        inProgress.removeLast()
    }
}

/// Every task and workflow by name, across the files; a name defined twice is an error at the second.
struct SymbolTable: Sendable {
    var tasks: [String: TaskSpec] = [:]
    var workflows: [String: WorkflowSpec] = [:]

    mutating func add(_ spec: SpecFile, _ d: inout Diagnostics) {
        for t in spec.tasks {
            if let first = tasks[t.name.value] {
                d.error(t.name.location, "task \"\(t.name.value)\" is already defined at \(first.name.location)")
            } else {
                tasks[t.name.value] = t
            }
        }
        for w in spec.workflows {
            if let first = workflows[w.name.value] {
                d.error(w.name.location, "workflow \"\(w.name.value)\" is already defined at \(first.name.location)")
            } else {
                workflows[w.name.value] = w
            }
        }
    }
}
