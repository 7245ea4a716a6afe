import AloftWire

/// A registered task, workflow or launch plan, named in full: `project/domain/name@version`.
public struct EntityRef: Sendable, Hashable, CustomStringConvertible {
    public var project: String
    public var domain: String
    public var name: String
    public var version: String

    public init(project: String, domain: String, name: String, version: String) {
        self.project = project
        self.domain = domain
        self.name = name
        self.version = version
    }

    public static let syntax = "PROJECT/DOMAIN/NAME@VERSION"

    /// Parses `project/domain/name@version`; the version is required (a reference never floats).
    public init?(parsing text: String) {
        guard let at = text.lastIndex(of: "@") else { return nil }
        let path = text[..<at].split(separator: "/", omittingEmptySubsequences: false)
        let version = String(text[text.index(after: at)...])
        guard path.count == 3, path.allSatisfy({ !$0.isEmpty }), !version.isEmpty else { return nil }
        self.init(project: String(path[0]), domain: String(path[1]), name: String(path[2]), version: version)
    }

    public var description: String { "\(project)/\(domain)/\(name)@\(version)" }
}

/// Looks up registered entities for a spec's `references`: the registry's answer, so that a reference to
/// something not registered is a compile error with its place.
public protocol ReferenceResolver: Sendable {
    /// The registered task, or why it cannot be had (not registered, no such project, ...).
    func task(_ ref: EntityRef) -> Result<CompiledTask, ReferenceFailure>
    /// The registered workflow with everything it calls (its plan), or why it cannot be had.
    func workflow(_ ref: EntityRef) -> Result<CompiledSpec, ReferenceFailure>
}

public struct ReferenceFailure: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// For tools that compile without a registry: every reference is an error saying so.
public struct NoRegistry: ReferenceResolver {
    public init() {}
    public func task(_ ref: EntityRef) -> Result<CompiledTask, ReferenceFailure> {
        .failure(ReferenceFailure("references to registered entities need a metadata store (none was opened)"))
    }
    public func workflow(_ ref: EntityRef) -> Result<CompiledSpec, ReferenceFailure> {
        .failure(ReferenceFailure("references to registered entities need a metadata store (none was opened)"))
    }
}

extension CompiledSpec {
    /// A registered workflow's plan made ready to sit inside another spec: its root workflow is called
    /// `alias`, and every other task and workflow it holds is keyed `ref/NAME`, so that none collides with
    /// the including spec's own names. Its tasks are named `project/domain/workflow/task` (no version, so a
    /// new version with the same cache version still hits the cache, as for local tasks).
    func embedded(as alias: String, root: String, ref: EntityRef) -> CompiledSpec {
        let prefix = "\(ref)/"
        let taskPrefix = "\(ref.project)/\(ref.domain)/\(ref.name)/"
        func workflowName(_ n: String) -> String { n == root ? alias : prefix + n }
        func rename(_ call: CompiledCall) -> CompiledCall {
            var c = call
            switch call.target {
            case .task(let t): c.target = .task(prefix + t)
            case .workflow(let w): c.target = .workflow(workflowName(w))
            }
            return c
        }
        var tasks: [String: CompiledTask] = [:]
        for (k, var t) in self.tasks {
            t.name = taskPrefix + t.name
            tasks[prefix + k] = t
        }
        var workflows: [String: CompiledWorkflow] = [:]
        for (k, var w) in self.workflows {
            w.name = workflowName(k)
            w.nodes = w.nodes.map { n in
                var node = n
                switch n.kind {
                case .call(let c): node.kind = .call(rename(c))
                case .map(var m):
                    m.call = rename(m.call)
                    node.kind = .map(m)
                case .branch(let cases):
                    node.kind = .branch(
                        cases.map { c in
                            var bc = c
                            if case .call(let call) = c.body { bc.body = .call(rename(call)) }
                            return bc
                        })
                }
                return node
            }
            workflows[workflowName(k)] = w
        }
        return CompiledSpec(tasks: tasks, workflows: workflows, files: files)
    }
}

extension CompiledSpec {
    /// A task launched alone: a workflow of one node, named after the task, with the task's inputs (and
    /// defaults) and outputs.
    public static func singleTask(_ task: CompiledTask, named name: String) -> CompiledSpec {
        let inputs = task.interface.inputs.keys.reduce(into: [String: Binding]()) { $0[$1] = .workflowInput($1) }
        let node = CompiledNode(
            id: name, kind: .call(CompiledCall(target: .task(name), inputs: inputs)), upstream: [],
            outputs: task.interface.outputs, location: task.location)
        let outputs = task.interface.outputs.keys.reduce(into: [String: Binding]()) {
            $0[$1] = .nodeOutput(node: name, output: $1)
        }
        let workflow = CompiledWorkflow(
            name: name, interface: task.interface, defaults: task.defaults, nodes: [node], outputs: outputs,
            location: task.location)
        return CompiledSpec(tasks: [name: task], workflows: [name: workflow], files: [])
    }
}
