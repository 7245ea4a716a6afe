import AloftSystem
import AloftTyping
public import AloftWire
import FoundationEssentials
import LocatedYAML

/// Which task types can run: the plugin router's answer, so that an unknown type is a compile error.
public protocol TaskTypeResolver: Sendable {
    func serves(_ taskType: String) -> Bool
    /// Why the type is not served, listing what is.
    func explainUnserved(_ taskType: String) -> String
    /// What the plugin serving the task's type finds wrong with its template (compile-time checks, the
    /// "aloft.task-check/1" extension): each problem's path into the template's JSON, and its message.
    func check(_ template: TaskTemplate) -> [(path: [JSONPathStep], message: String)]
}

extension TaskTypeResolver {
    public func check(_ template: TaskTemplate) -> [(path: [JSONPathStep], message: String)] { [] }
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
    /// Where `references` are looked up: the registry of the metadata store in use.
    public let references: any ReferenceResolver

    public init(resolver: any TaskTypeResolver = AnyTaskType(), references: any ReferenceResolver = NoRegistry()) {
        self.resolver = resolver
        self.references = references
    }

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
        var workflows: [String: CompiledWorkflow] = [:]
        resolveReferences(&symbols, into: &tasks, &workflows, &d)
        for (name, task) in symbols.tasks {
            if let t = TaskChecker(resolver: resolver).check(task, &d) { tasks[name] = t }
        }
        let callees = CalleeTable(symbols: symbols)
        let enums = EnumMembership()
        for (name, workflow) in symbols.workflows {
            var checker = WorkflowChecker(callees: callees, enums: enums)
            if let w = checker.check(workflow) { workflows[name] = w }
            d.all += checker.d.all
        }
        RecursionCheck.check(symbols.workflows, &d)
        let planChecker = LaunchPlanChecker(
            workflows: workflows,
            known: Set(symbols.workflows.keys).union(symbols.referencedWorkflows.keys))
        var launchPlans: [String: CompiledLaunchPlan] = [:]
        for lp in symbols.launchPlans.values {
            if let plan = planChecker.check(lp, &d) { launchPlans[plan.name] = plan }
        }
        let diagnostics = d.sorted
        guard diagnostics.isEmpty else { return CompilationResult(spec: nil, diagnostics: diagnostics) }
        var spec = CompiledSpec(tasks: tasks, workflows: workflows, files: files, launchPlans: launchPlans)
        spec.referencedTaskAliases = Set(symbols.references.filter { $0.kind == .task }.map(\.alias.value))
        spec.referencedWorkflowAliases = Set(symbols.references.filter { $0.kind == .workflow }.map(\.alias.value))
        return CompilationResult(spec: spec, diagnostics: [])
    }

    /// Looks up every reference in the registry: a referenced task joins the tasks under its alias, a
    /// referenced workflow joins with everything it calls (renamed so that nothing collides).
    private func resolveReferences(
        _ symbols: inout SymbolTable, into tasks: inout [String: CompiledTask],
        _ workflows: inout [String: CompiledWorkflow], _ d: inout Diagnostics
    ) {
        for r in symbols.references {
            switch r.kind {
            case .task:
                switch references.task(r.ref) {
                case .success(var t):
                    t.name = "\(r.ref.project)/\(r.ref.domain)/\(r.ref.name)"
                    tasks[r.alias.value] = t
                    symbols.referencedTasks[r.alias.value] = t
                case .failure(let f):
                    d.error(r.location, "reference \"\(r.alias.value)\" (task \(r.ref)): \(f.message)")
                    symbols.unresolved.insert(r.alias.value)
                }
            case .workflow:
                switch references.workflow(r.ref) {
                case .success(let plan):
                    let embedded = plan.embedded(as: r.alias.value, root: r.ref.name, ref: r.ref)
                    tasks.merge(embedded.tasks) { a, _ in a }
                    workflows.merge(embedded.workflows) { a, _ in a }
                    if let root = embedded.workflows[r.alias.value] {
                        symbols.referencedWorkflows[r.alias.value] = root
                    }
                case .failure(let f):
                    d.error(r.location, "reference \"\(r.alias.value)\" (workflow \(r.ref)): \(f.message)")
                    symbols.unresolved.insert(r.alias.value)
                }
            }
        }
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
            let chain = (inProgress.drop { $0 != full } + [full]).map { PathString.lastComponent($0) }
            d.error(importer!.location, "import cycle: \(chain.joined(separator: " -> "))")
            return
        }
        guard !loaded.contains(full) else { return }
        let limit = DocumentLimits.standard.maxBytes
        let data: Data
        switch BoundedRead.contents(of: full, limit: limit) {
        case .bytes(let bytes): data = bytes
        case .unreadable:
            if let importer {
                d.error(importer.location, "cannot read imported file \"\(importer.value)\" (\(full))")
            } else {
                d.error(
                    SourceLocation(file: path, line: 0, column: 0), "cannot read the file (missing or not readable)")
            }
            return
        case .tooLarge:
            d.error(
                SourceLocation(file: importer == nil ? path : full, line: 1, column: 1),
                "the file is larger than the limit of \(DocumentLimits.describe(bytes: limit)) for a spec")
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
            d.error(
                SourceLocation(file: path, line: 1, column: 1),
                "the spec is empty; expected \"tasks\" and/or \"workflows\"")
            return
        }
        var parser = SpecParser()
        let spec = parser.parse(root, path: path)
        d.all += parser.d.all
        specs.append(spec)
        inProgress.append(full)
        let dir = PathString.parent(full)
        for imp in spec.imports {
            let target = imp.value.hasPrefix("/") ? imp.value : PathString.appending(dir, imp.value)
            load(path: target, from: imp)
        }
        inProgress.removeLast()
    }
}

/// Every task and workflow by name, across the files; a name defined twice is an error at the second.
struct SymbolTable: Sendable {
    var tasks: [String: TaskSpec] = [:]
    var workflows: [String: WorkflowSpec] = [:]
    var references: [ReferenceSpec] = []
    var launchPlans: [String: LaunchPlanSpec] = [:]
    /// Filled from the registry before workflows are checked: what a reference's alias calls.
    var referencedTasks: [String: CompiledTask] = [:]
    var referencedWorkflows: [String: CompiledWorkflow] = [:]
    /// Aliases whose lookup failed (reported there): calls to them are not reported again.
    var unresolved: Set<String> = []
    /// Where each reference's alias is, by kind and alias: looked up for every definition.
    private var aliases: [String: SourceLocation] = [:]

    mutating func add(_ spec: SpecFile, _ d: inout Diagnostics) {
        // A reference's alias and a definition of the same kind clash whichever file comes first.
        func alias(_ kind: ReferenceSpec.Kind, _ name: String) -> SourceLocation? {
            aliases["\(kind.rawValue) \(name)"]
        }
        for t in spec.tasks {
            if let first = tasks[t.name.value]?.name.location ?? alias(.task, t.name.value) {
                d.error(t.name.location, "task \"\(t.name.value)\" is already defined at \(first)")
            } else {
                tasks[t.name.value] = t
            }
        }
        for w in spec.workflows {
            if let first = workflows[w.name.value]?.name.location ?? alias(.workflow, w.name.value) {
                d.error(w.name.location, "workflow \"\(w.name.value)\" is already defined at \(first)")
            } else {
                workflows[w.name.value] = w
            }
        }
        for r in spec.references {
            let taken: SourceLocation? =
                r.kind == .task ? tasks[r.alias.value]?.name.location : workflows[r.alias.value]?.name.location
            if let first = taken ?? alias(r.kind, r.alias.value) {
                d.error(r.alias.location, "\(r.kind.rawValue) \"\(r.alias.value)\" is already defined at \(first)")
            } else {
                references.append(r)
                aliases["\(r.kind.rawValue) \(r.alias.value)"] = r.alias.location
            }
        }
        for lp in spec.launchPlans {
            if let first = launchPlans[lp.name.value] {
                d.error(
                    lp.name.location, "launch plan \"\(lp.name.value)\" is already defined at \(first.name.location)")
            } else {
                launchPlans[lp.name.value] = lp
            }
        }
    }
}
