import AloftTyping
import AloftWire
import LocatedYAML

/// A callee's interface, from its spec (so bindings are checked even when the callee itself has errors).
struct Signature {
    var kind: String
    var name: String
    var inputs: TypeMap
    var optional: Set<String>
    var outputs: TypeMap
    /// Declared with a type that did not parse (reported there): bindings to them are not checked.
    var untyped: Set<String> = []
    /// The inputs every call must bind, sorted.
    var required: [String] = []
    /// The inputs, for messages.
    var inputNames: NameCatalog

    init(
        kind: String, name: String, inputs: TypeMap, optional: Set<String>, outputs: TypeMap, untyped: Set<String> = []
    ) {
        self.kind = kind
        self.name = name
        self.inputs = inputs
        self.optional = optional
        self.outputs = outputs
        self.untyped = untyped
        required = inputs.keys.filter { !optional.contains($0) }.sorted()
        inputNames = NameCatalog(inputs.keys)
    }
}

/// What a call may name: the signatures of tasks and workflows and the catalogs of their names, built once
/// per compilation and shared by the checkers of every workflow (a callee called from 100,000 nodes has its
/// interface read once).
final class CalleeTable {
    let symbols: SymbolTable
    private var signatures: [String: Signature] = [:]
    private lazy var taskNames = NameCatalog(
        Set(symbols.tasks.keys).union(symbols.referencedTasks.keys), suggesting: Array(symbols.tasks.keys))
    private lazy var workflowNames = NameCatalog(
        Set(symbols.workflows.keys).union(symbols.referencedWorkflows.keys),
        suggesting: Array(symbols.workflows.keys))

    init(symbols: SymbolTable) {
        self.symbols = symbols
    }

    /// The callee's signature, or nil after reporting an unknown callee into `d` (nothing for a reference
    /// whose lookup failed: that is reported where the reference is).
    func signature(_ target: CallTarget, _ d: inout Diagnostics) -> Signature? {
        let key: String
        switch target {
        case .task(let name): key = "task " + name.value
        case .workflow(let name): key = "workflow " + name.value
        }
        if let s = signatures[key] { return s }
        guard let s = lookUp(target, &d) else { return nil }
        signatures[key] = s
        return s
    }

    private func lookUp(_ target: CallTarget, _ d: inout Diagnostics) -> Signature? {
        func params(_ ps: [ParameterSpec]) -> TypeMap {
            var m: TypeMap = [:]
            for p in ps { if let t = p.type { m[p.name.value] = t } }
            return m
        }
        func optional(_ ps: [ParameterSpec]) -> Set<String> {
            Set(
                ps.filter { p in
                    if p.defaultValue != nil { return true }
                    return p.type?.acceptsNone ?? false
                }.map(\.name.value))
        }
        func signature(_ i: TaskInterface, defaults: LiteralMap, kind: String, name: String) -> Signature {
            Signature(
                kind: kind, name: name, inputs: i.inputs,
                optional: Set(i.inputs.filter { defaults[$0.key] != nil || $0.value.acceptsNone }.keys),
                outputs: i.outputs)
        }
        switch target {
        case .task(let name) where symbols.unresolved.contains(name.value),
            .workflow(let name) where symbols.unresolved.contains(name.value):
            return nil
        case .task(let name):
            if symbols.tasks[name.value] == nil, let r = symbols.referencedTasks[name.value] {
                return signature(r.interface, defaults: r.defaults, kind: "task", name: name.value)
            }
            guard let t = symbols.tasks[name.value] else {
                d.error(
                    name.location,
                    "unknown task \"\(name.value)\"; \(taskNames.hint(name.value))defined tasks: \(taskNames.listed)")
                return nil
            }
            return Signature(
                kind: "task", name: name.value, inputs: params(t.inputs), optional: optional(t.inputs),
                outputs: params(t.outputs),
                untyped: Set(t.inputs.filter { $0.type == nil }.map(\.name.value)))
        case .workflow(let name):
            if symbols.workflows[name.value] == nil, let r = symbols.referencedWorkflows[name.value] {
                return signature(r.interface, defaults: r.defaults, kind: "workflow", name: name.value)
            }
            guard let w = symbols.workflows[name.value] else {
                d.error(
                    name.location,
                    "unknown workflow \"\(name.value)\"; \(workflowNames.hint(name.value))defined workflows: \(workflowNames.listed)"
                )
                return nil
            }
            var outputs: TypeMap = [:]
            for o in w.outputs { if let t = o.type { outputs[o.name.value] = t } }
            return Signature(
                kind: "workflow", name: name.value, inputs: params(w.inputs), optional: optional(w.inputs),
                outputs: outputs,
                untyped: Set(w.inputs.filter { $0.type == nil }.map(\.name.value)))
        }
    }
}
