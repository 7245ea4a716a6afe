import AloftTyping
import AloftWire
import LocatedYAML

/// Checks one workflow: node names, what each node calls, the type of every binding, required inputs,
/// cycles, branch conditions, map nodes and the workflow's outputs.
struct WorkflowChecker {
    let callees: CalleeTable
    var d = Diagnostics()

    private var workflowName = ""
    private var inputTypes: TypeMap = [:]
    private var nodeOutputs: [String: TypeMap] = [:]
    private var nodeLocations: [String: SourceLocation] = [:]
    /// Names for messages, each built on first use (after pass 1, when the nodes are all known).
    private var inputNames: NameCatalog?
    private var nodeNames: NameCatalog?
    private var outputNames: [String: NameCatalog] = [:]

    /// Shared by every workflow of the compilation: each large enum's values are hashed once.
    let enums: EnumMembership

    init(callees: CalleeTable, enums: EnumMembership) {
        self.callees = callees
        self.enums = enums
    }

    /// The callee's signature, reporting an unknown one.
    private mutating func signature(_ target: CallTarget) -> Signature? {
        callees.signature(target, &d)
    }

    mutating func check(_ w: WorkflowSpec) -> CompiledWorkflow? {
        workflowName = w.name.value
        let what = "workflow \"\(w.name.value)\""
        let defaults: LiteralMap
        (inputTypes, defaults) = typedInputs(w.inputs, of: what, &d)

        // Pass 1: node names and what each node produces.
        var signatures: [String: Signature] = [:]
        var uniqueNodes: [NodeSpec] = []
        for node in w.nodes {
            let id = node.id.value
            if id == "inputs" {
                d.error(
                    node.id.location,
                    "\"inputs\" is reserved ($inputs.NAME reads the workflow's inputs); rename the node")
                continue
            }
            if let first = nodeLocations[id] {
                d.error(node.id.location, "duplicate node id \"\(id)\" in \(what); first defined at \(first)")
                continue
            }
            nodeLocations[id] = node.id.location
            uniqueNodes.append(node)
            switch node.kind {
            case .call(let call):
                if let s = signature(call.target) {
                    signatures[id] = s
                    nodeOutputs[id] = s.outputs
                }
            case .map(let m):
                if let s = signature(m.call.target) {
                    signatures[id] = s
                    nodeOutputs[id] = s.outputs.mapValues { m.minSuccessRatio < 1 ? .list(.optional($0)) : .list($0) }
                }
            case .branch(let cases):
                nodeOutputs[id] = branchOutputs(cases)
            }
        }

        // Pass 2: bindings, conditions, dependencies.
        var compiled: [CompiledNode] = []
        for node in uniqueNodes {
            let id = node.id.value
            let nodeWhat = "node \"\(id)\""
            var kind: CompiledNode.Kind?
            var upstream = Set<String>()
            switch node.kind {
            case .call(let call):
                if let s = signatures[id], let c = compileCall(call, s, of: nodeWhat, excluding: nil) {
                    kind = .call(c)
                    upstream = c.inputs.values.reduce(into: []) { $0.formUnion($1.upstreamNodes) }
                }
            case .map(let m):
                if let s = signatures[id], let cm = compileMap(m, s, of: nodeWhat) {
                    kind = .map(cm)
                    upstream = cm.call.inputs.values.reduce(into: cm.over.upstreamNodes) {
                        $0.formUnion($1.upstreamNodes)
                    }
                }
            case .branch(let cases):
                var compiledCases: [CompiledBranchCase] = []
                for c in cases {
                    var condition: Condition?
                    if let text = c.condition {
                        condition = compileCondition(text, of: nodeWhat)
                        if let condition { upstream.formUnion(condition.upstreamNodes) }
                    }
                    switch c.body {
                    case .fail(let message):
                        compiledCases.append(CompiledBranchCase(condition: condition, body: .fail(message)))
                    case .call(let call):
                        var cd = Diagnostics()
                        if let s = callees.signature(call.target, &cd),
                            let cc = compileCall(call, s, of: "a case of \(nodeWhat)", excluding: nil)
                        {
                            compiledCases.append(CompiledBranchCase(condition: condition, body: .call(cc)))
                            upstream = cc.inputs.values.reduce(into: upstream) { $0.formUnion($1.upstreamNodes) }
                        }
                        d.all += cd.all
                    }
                }
                if compiledCases.count == cases.count && !cases.isEmpty { kind = .branch(compiledCases) }
            }
            if upstream.contains(id) { d.error(node.id.location, "\(nodeWhat) reads its own output") }
            if let kind {
                compiled.append(
                    CompiledNode(
                        id: id, kind: kind, upstream: upstream.sorted(), outputs: nodeOutputs[id] ?? [:],
                        location: node.location))
            }
        }

        // Workflow outputs.
        var outputs: [String: Binding] = [:]
        var outputTypes: TypeMap = [:]
        for o in w.outputs {
            guard let type = o.type else { continue }
            outputTypes[o.name.value] = type
            if let from = o.from, let b = resolve(from, expected: type, for: "output \"\(o.name.value)\" of \(what)") {
                outputs[o.name.value] = b
            }
        }

        let ordered = topologicalOrder(compiled, of: what)
        guard d.isEmpty, let ordered else { return nil }
        return CompiledWorkflow(
            name: w.name.value, interface: TaskInterface(inputs: inputTypes, outputs: outputTypes), defaults: defaults,
            nodes: ordered, outputs: outputs, location: w.name.location)
    }

    // MARK: Calls and bindings

    private mutating func compileCall(
        _ call: CallSpec, _ s: Signature, of what: String, excluding overInput: String?
    ) -> CompiledCall? {
        let before = d.all.count
        var inputs: [String: Binding] = [:]
        for b in call.inputs {
            let name = b.name.value
            if s.untyped.contains(name) {
                checkReferences(b.value, for: "input \"\(name)\" of \(what)")
                continue
            }
            guard let type = s.inputs[name] else {
                d.error(
                    b.name.location,
                    "\(s.kind) \"\(s.name)\" has no input \"\(name)\"; \(s.inputNames.hint(name))its inputs: \(s.inputNames.listed)"
                )
                continue
            }
            if name == overInput {
                d.error(b.name.location, "input \"\(name)\" of \(what) is already bound by \"over\"")
                continue
            }
            if let binding = resolve(b.value, expected: type, for: "input \"\(name)\" of \(what)") {
                inputs[name] = binding
            }
        }
        let bound = Set(call.inputs.map(\.name.value)).union(overInput.map { [$0] } ?? [])
        for name in s.required where !bound.contains(name) {
            d.error(
                call.location,
                "\(what) does not bind the required input \"\(name)\" (\(s.inputs[name]!)) of \(s.kind) \"\(s.name)\"")
        }
        guard d.all.count == before else { return nil }
        let target: CallTargetIR
        switch call.target {
        case .task(let n): target = .task(n.value)
        case .workflow(let n): target = .workflow(n.value)
        }
        return CompiledCall(target: target, inputs: inputs)
    }

    private mutating func compileMap(_ m: MapSpec, _ s: Signature, of what: String) -> CompiledMap? {
        guard let over = m.over else { return nil }
        let name = over.name.value
        guard let itemType = s.inputs[name] else {
            d.error(
                over.name.location,
                "over in \(what) names \"\(name)\", which is not an input of \(s.kind) \"\(s.name)\"; its inputs: \(s.inputNames.listed)"
            )
            _ = compileCall(m.call, s, of: what, excluding: name)
            return nil
        }
        let overBinding = resolve(over.value, expected: .list(itemType), for: "over \"\(name)\" of \(what)")
        guard let call = compileCall(m.call, s, of: what, excluding: name), let overBinding else { return nil }
        return CompiledMap(
            call: call, overInput: name, over: overBinding, concurrency: m.concurrency,
            minSuccessRatio: m.minSuccessRatio)
    }

    /// A binding as written -> `Binding`, checking that its type flows into `expected`.
    private mutating func resolve(_ value: LocatedValue, expected: LiteralType, for what: String) -> Binding? {
        if case .scalar(.string(let text), let location) = value, text.hasPrefix("$"), !text.hasPrefix("$$") {
            guard let (binding, type) = reference(text, at: location, for: what) else { return nil }
            guard TypeCompatibility.canFlow(from: type, to: expected) else {
                d.error(location, "\(text) is \(type), but \(what) expects \(expected)")
                return nil
            }
            return binding
        }
        if containsReference(value) {
            switch (value, listOrMap(expected)) {
            case (.sequence(let items, _), .list(let element)?):
                var out: [Binding] = []
                for item in items {
                    guard let b = resolve(item, expected: element, for: what) else { return nil }
                    out.append(b)
                }
                return .list(out)
            case (.mapping(let members, _), .map(let element)?):
                var out: [String: Binding] = [:]
                for m in members {
                    guard let b = resolve(m.value, expected: element, for: what) else { return nil }
                    out[m.key] = b
                }
                return .map(out)
            default:
                d.error(value.location, "\(what) expects \(expected); a \(value.kindName) of references cannot be one")
                return nil
            }
        }
        switch LiteralCoercion.literal(unescapingDollars(value), as: expected, enums: enums) {
        case .success(let l): return .literal(l)
        case .failure(let e):
            d.error(e.location, "\(what): \(e.message)")
            return nil
        }
    }

    /// `$$text` is the literal `$text`, wherever it stands in a literal value.
    private func unescapingDollars(_ v: LocatedValue) -> LocatedValue {
        switch v {
        case .scalar(.string(let text), let l) where text.hasPrefix("$$"):
            return .scalar(.string(String(text.dropFirst())), l)
        case .sequence(let items, let l): return .sequence(items.map(unescapingDollars), l)
        case .mapping(let members, let l):
            return .mapping(members.map { ($0.key, $0.keyLocation, unescapingDollars($0.value)) }, l)
        default: return v
        }
    }

    /// The references in a binding whose expected type is unknown: they must still exist.
    private mutating func checkReferences(_ value: LocatedValue, for what: String) {
        switch value {
        case .scalar(.string(let text), let location) where text.hasPrefix("$") && !text.hasPrefix("$$"):
            _ = reference(text, at: location, for: what)
        case .sequence(let items, _): for item in items { checkReferences(item, for: what) }
        case .mapping(let members, _): for m in members { checkReferences(m.value, for: what) }
        default: break
        }
    }

    private func listOrMap(_ t: LiteralType) -> LiteralType? {
        switch t {
        case .list, .map: return t
        case .union(let variants):
            return variants.first {
                if case .list = $0 { return true }
                if case .map = $0 { return true }
                return false
            }
        default: return nil
        }
    }

    private func containsReference(_ v: LocatedValue) -> Bool {
        switch v {
        case .scalar(.string(let s), _): return s.hasPrefix("$") && !s.hasPrefix("$$")
        case .scalar: return false
        case .sequence(let items, _): return items.contains(where: containsReference)
        case .mapping(let members, _): return members.contains { containsReference($0.value) }
        }
    }

    /// `$inputs.NAME` or `$NODE.OUTPUT` -> its binding and type.
    private mutating func reference(
        _ text: String, at location: SourceLocation, for what: String
    ) -> (Binding, LiteralType)? {
        let parts = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            d.error(
                location,
                "invalid reference \"\(text)\" in \(what); expected $inputs.NAME or $NODE.OUTPUT (write $$ for a literal $)"
            )
            return nil
        }
        let (source, name) = (parts[0], parts[1])
        if source == "inputs" {
            guard let t = inputTypes[name] else {
                if inputNames == nil { inputNames = NameCatalog(inputTypes.keys) }
                d.error(
                    location,
                    "\(text): workflow \"\(workflowName)\" has no input \"\(name)\"; \(inputNames!.hint(name))its inputs: \(inputNames!.listed)"
                )
                return nil
            }
            return (.workflowInput(name), t)
        }
        guard nodeLocations[source] != nil else {
            if nodeNames == nil { nodeNames = NameCatalog(nodeLocations.keys) }
            d.error(
                location,
                "\(text): no node \"\(source)\" in workflow \"\(workflowName)\"; \(nodeNames!.hint(source))nodes: \(nodeNames!.listed)"
            )
            return nil
        }
        guard let outputs = nodeOutputs[source] else { return nil }  // the node itself has errors, reported there
        guard let t = outputs[name] else {
            let names = outputNames[source] ?? NameCatalog(outputs.keys)
            outputNames[source] = names
            d.error(
                location,
                "\(text): node \"\(source)\" has no output \"\(name)\"; \(names.hint(name))its outputs: \(names.listed)"
            )
            return nil
        }
        return (.nodeOutput(node: source, output: name), t)
    }

    // MARK: Branches

    /// Outputs every calling case produces, with the same type; the others cannot be read downstream.
    private func branchOutputs(_ cases: [BranchCaseSpec]) -> TypeMap {
        var common: TypeMap?
        var scratch = Diagnostics()
        for c in cases {
            guard case .call(let call) = c.body, let s = callees.signature(call.target, &scratch) else { continue }
            if let current = common {
                common = current.filter { s.outputs[$0.key] == $0.value }
            } else {
                common = s.outputs
            }
        }
        return common ?? [:]
    }

    private mutating func compileCondition(_ text: Located<String>, of what: String) -> Condition? {
        switch ConditionParser.parse(text.value) {
        case .failure(let e):
            d.error(shifted(text.location, e.offset), "condition of \(what): \(e.message)")
            return nil
        case .success(let syntax):
            guard let (compiled, depth) = condition(syntax, text, of: what) else { return nil }
            guard depth <= Condition.maxDepth else {
                d.error(
                    text.location,
                    "condition of \(what) nests and/or/not \(depth) levels deep, more than the limit of \(Condition.maxDepth); "
                        + "use fewer parentheses or split it across branch cases")
                return nil
            }
            return compiled
        }
    }

    private func shifted(_ l: SourceLocation, _ offset: Int) -> SourceLocation {
        var l = l
        l.column += offset
        return l
    }

    /// The condition with its depth of and/or/not; nil (after reporting) at the first term that is wrong.
    private mutating func condition(
        _ c: ConditionSyntax, _ text: Located<String>, of what: String
    ) -> (Condition, depth: Int)? {
        switch c {
        case .and(let terms), .or(let terms):
            var compiled: [(condition: Condition, depth: Int)] = []
            compiled.reserveCapacity(terms.count)
            for term in terms {
                guard let (t, depth) = condition(term, text, of: what) else { return nil }
                compiled.append((t, depth))
            }
            if case .and = c { return Condition.joined(compiled[...], by: Condition.and) }
            return Condition.joined(compiled[...], by: Condition.or)
        case .not(let a):
            return condition(a, text, of: what).map { (.not($0.0), $0.depth + 1) }
        case .compare(let l, let op, let r, let offset):
            guard let (lb, lt) = operand(l, text, of: what), let (rb, rt) = operand(r, text, of: what) else {
                return nil
            }
            if let problem = comparable(lt, op, rt) {
                d.error(shifted(text.location, offset), "condition of \(what): \(problem)")
                return nil
            }
            return (.compare(lb, op, rb), 0)
        }
    }

    private mutating func operand(
        _ o: ConditionSyntax.Operand, _ text: Located<String>, of what: String
    ) -> (Binding, LiteralType)? {
        switch o {
        case .reference(let r, let offset):
            return reference(r, at: shifted(text.location, offset), for: "the condition of \(what)")
        case .literal(let j, _):
            switch j {
            case .integer(let i): return (.literal(.integer(i)), .integer)
            case .float(let f): return (.literal(.float(f)), .float)
            case .string(let s): return (.literal(.string(s)), .string)
            case .bool(let b): return (.literal(.boolean(b)), .boolean)
            default: return (.literal(.none), .none)
            }
        }
    }

    /// Why `a op b` cannot be evaluated, or nil.
    private func comparable(_ a: LiteralType, _ op: Condition.Comparison, _ b: LiteralType) -> String? {
        let numeric: Set<LiteralType> = [.integer, .float]
        let ordered: Set<LiteralType> = [.integer, .float, .string, .datetime, .duration]
        func base(_ t: LiteralType) -> LiteralType {
            if case .union(let v) = t, v.count == 2, let i = v.firstIndex(of: .none) { return v[1 - i] }
            return t
        }
        let (x, y) = (base(a), base(b))
        let equality = op == .eq || op == .ne
        func admitsNone(_ t: LiteralType) -> Bool {
            if t == .none { return true }
            if case .union(let v) = t { return v.contains(.none) }
            return false
        }
        if equality && (a == .none || b == .none) {
            return admitsNone(a) && admitsNone(b)
                ? nil : "only an optional value can be compared with null; \(a) and \(b) cannot"
        }
        let sameKind =
            x == y || (numeric.contains(x) && numeric.contains(y))
            || (isEnum(x) && y == .string) || (x == .string && isEnum(y))
        guard sameKind else { return "cannot compare \(a) with \(b)" }
        if !equality && !(ordered.contains(x) && ordered.contains(y)) {
            return "\(op.rawValue) needs numbers, strings, datetimes or durations; found \(a) and \(b)"
        }
        return nil
    }

    private func isEnum(_ t: LiteralType) -> Bool {
        if case .enumeration = t { return true }
        return false
    }

    // MARK: Order and recursion

    /// Kahn's algorithm; on a cycle, reports one cycle with its path at the first node in it.
    private mutating func topologicalOrder(_ nodes: [CompiledNode], of what: String) -> [CompiledNode]? {
        var indegree: [String: Int] = [:]
        var downstream: [String: [String]] = [:]
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for n in nodes {
            indegree[n.id, default: 0] += 0
            for u in n.upstream where byID[u] != nil && u != n.id {
                indegree[n.id, default: 0] += 1
                downstream[u, default: []].append(n.id)
            }
        }
        var ready = nodes.filter { indegree[$0.id] == 0 }.map(\.id)
        var order: [CompiledNode] = []
        order.reserveCapacity(nodes.count)
        var head = 0
        while head < ready.count {
            let id = ready[head]
            head += 1
            order.append(byID[id]!)
            for next in downstream[id] ?? [] {
                indegree[next]! -= 1
                if indegree[next] == 0 { ready.append(next) }
            }
        }
        guard order.count < nodes.count else { return order }
        // Walk upstream edges from a node still blocked until one repeats: that is a cycle.
        let blocked = Set(nodes.map(\.id)).subtracting(order.map(\.id))
        var path: [String] = []
        var position: [String: Int] = [:]
        var current = nodes.first { blocked.contains($0.id) }!.id
        while position[current] == nil {
            position[current] = path.count
            path.append(current)
            current = byID[current]!.upstream.first { blocked.contains($0) && $0 != current } ?? current
        }
        // path walks against the data flow; reversed, it reads in the direction values move.
        let cycle = Array(path[position[current]!...].reversed())
        let first = cycle[0]
        d.error(
            byID[first]!.location,
            "\(what) has a cycle: \(CallPath.text(cycle + [first])); a node cannot depend on its own outputs")
        return nil
    }
}
