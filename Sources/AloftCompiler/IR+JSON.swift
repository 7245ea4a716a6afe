public import AloftWire
import LocatedYAML

// The compiled IR as canonical JSON: what an execution stores and runs, and (later) what the registry
// versions. Decoding checks shapes and reports the path of anything malformed.

extension Binding {
    public var json: JSON {
        switch self {
        case .literal(let l): return .object(["literal": l.json])
        case .workflowInput(let n): return .object(["input": .string(n)])
        case .nodeOutput(let node, let output): return .object(["node": .string(node), "output": .string(output)])
        case .list(let items): return .object(["list": .array(items.map(\.json))])
        case .map(let m): return .object(["map": .object(m.mapValues(\.json))])
        }
    }

    public init(json: JSON, path: String) throws(WireError) {
        guard let o = json.objectValue else { throw WireError(path: path, reason: "expected a binding object") }
        if let l = o["literal"] {
            self = .literal(try Literal(json: l, path: path + ".literal"))
            return
        }
        if let n = o["input"]?.stringValue {
            self = .workflowInput(n)
            return
        }
        if let node = o["node"]?.stringValue, let output = o["output"]?.stringValue {
            self = .nodeOutput(node: node, output: output)
            return
        }
        if let items = o["list"]?.arrayValue {
            var out: [Binding] = []
            for (i, item) in items.enumerated() { out.append(try Binding(json: item, path: "\(path).list[\(i)]")) }
            self = .list(out)
            return
        }
        if let m = o["map"]?.objectValue {
            var out: [String: Binding] = [:]
            for (k, v) in m { out[k] = try Binding(json: v, path: "\(path).map.\(k)") }
            self = .map(out)
            return
        }
        throw WireError(path: path, reason: "unknown binding")
    }
}

extension Condition {
    public var json: JSON {
        switch self {
        case .compare(let a, let op, let b):
            return .object(["compare": .array([a.json, .string(op.rawValue), b.json])])
        case .and(let a, let b): return .object(["and": .array([a.json, b.json])])
        case .or(let a, let b): return .object(["or": .array([a.json, b.json])])
        case .not(let a): return .object(["not": a.json])
        }
    }

    public init(json: JSON, path: String) throws(WireError) {
        if let c = json["compare"]?.arrayValue, c.count == 3,
            let op = c[1].stringValue.flatMap(Comparison.init(rawValue:))
        {
            self = .compare(
                try Binding(json: c[0], path: path + ".compare[0]"), op,
                try Binding(json: c[2], path: path + ".compare[2]"))
        } else if let ab = json["and"]?.arrayValue, ab.count == 2 {
            self = .and(
                try Condition(json: ab[0], path: path + ".and[0]"), try Condition(json: ab[1], path: path + ".and[1]"))
        } else if let ab = json["or"]?.arrayValue, ab.count == 2 {
            self = .or(
                try Condition(json: ab[0], path: path + ".or[0]"), try Condition(json: ab[1], path: path + ".or[1]"))
        } else if let a = json["not"] {
            self = .not(try Condition(json: a, path: path + ".not"))
        } else {
            throw WireError(path: path, reason: "unknown condition")
        }
    }
}

extension CompiledCall {
    var json: JSON {
        var o: [String: JSON] = ["inputs": .object(inputs.mapValues(\.json))]
        switch target {
        case .task(let n): o["task"] = .string(n)
        case .workflow(let n): o["workflow"] = .string(n)
        }
        return .object(o)
    }

    init(json: JSON, path: String) throws(WireError) {
        if let t = json["task"]?.stringValue {
            target = .task(t)
        } else if let w = json["workflow"]?.stringValue {
            target = .workflow(w)
        } else {
            throw WireError(path: path, reason: "a call names a task or a workflow")
        }
        var inputs: [String: Binding] = [:]
        for (k, v) in json["inputs"]?.objectValue ?? [:] {
            inputs[k] = try Binding(json: v, path: "\(path).inputs.\(k)")
        }
        self.inputs = inputs
    }
}

extension CompiledNode {
    var json: JSON {
        var o: [String: JSON] = [
            "id": .string(id), "upstream": .array(upstream.map(JSON.string)), "outputs": outputs.json,
            "location": .string(location.description),
        ]
        switch kind {
        case .call(let c): o["call"] = c.json
        case .map(let m):
            var mj: [String: JSON] = [
                "call": m.call.json, "over_input": .string(m.overInput), "over": m.over.json,
                "min_success_ratio": .float(m.minSuccessRatio),
            ]
            if let c = m.concurrency { mj["concurrency"] = .integer(Int64(c)) }
            o["map"] = .object(mj)
        case .branch(let cases):
            o["branch"] = .array(
                cases.map { c in
                    var cj: [String: JSON] = [:]
                    if let cond = c.condition { cj["when"] = cond.json }
                    switch c.body {
                    case .call(let call): cj["call"] = call.json
                    case .fail(let message): cj["fail"] = .string(message)
                    }
                    return .object(cj)
                })
        }
        return .object(o)
    }

    init(json: JSON, path: String) throws(WireError) {
        guard let id = json["id"]?.stringValue else { throw WireError(path: path, reason: "a node needs an id") }
        self.id = id
        upstream = (json["upstream"]?.arrayValue ?? []).compactMap(\.stringValue)
        outputs = try TypeMap(json: json["outputs"] ?? .object([:]), path: path + ".outputs")
        location = SourceLocation(parsing: json["location"]?.stringValue ?? "")
        if let call = json["call"] {
            kind = .call(try CompiledCall(json: call, path: path + ".call"))
        } else if let m = json["map"] {
            guard let overInput = m["over_input"]?.stringValue, let over = m["over"], let call = m["call"] else {
                throw WireError(path: path + ".map", reason: "a map needs call, over_input and over")
            }
            kind = .map(
                CompiledMap(
                    call: try CompiledCall(json: call, path: path + ".map.call"), overInput: overInput,
                    over: try Binding(json: over, path: path + ".map.over"),
                    concurrency: m["concurrency"]?.integerValue.map { Int($0) },
                    minSuccessRatio: m["min_success_ratio"]?.numberValue ?? 1))
        } else if let cases = json["branch"]?.arrayValue {
            var out: [CompiledBranchCase] = []
            for (i, c) in cases.enumerated() {
                let cp = "\(path).branch[\(i)]"
                let condition = try c["when"].map { j throws(WireError) in try Condition(json: j, path: cp + ".when") }
                if let message = c["fail"]?.stringValue {
                    out.append(CompiledBranchCase(condition: condition, body: .fail(message)))
                } else if let call = c["call"] {
                    out.append(
                        CompiledBranchCase(
                            condition: condition, body: .call(try CompiledCall(json: call, path: cp + ".call"))))
                } else {
                    throw WireError(path: cp, reason: "a case calls or fails")
                }
            }
            kind = .branch(out)
        } else {
            throw WireError(path: path, reason: "a node is a call, a map or a branch")
        }
    }
}

extension CompiledTask {
    public var json: JSON {
        var o: [String: JSON] = [
            "name": .string(name), "template": template.json, "defaults": defaults.json,
            "retries": .integer(Int64(retries)),
            "interruptible": .bool(interruptible), "location": .string(location.description),
        ]
        if let timeout { o["timeout"] = .string(timeout.aloftWireString) }
        if let cache {
            o["cache"] = .object([
                "version": .string(cache.version), "serialize": .bool(cache.serialize),
                "ignore": .array(cache.ignoredInputs.map(JSON.string)),
            ])
        }
        return .object(o)
    }

    public init(json: JSON, path: String) throws(WireError) {
        guard let name = json["name"]?.stringValue, let t = json["template"] else {
            throw WireError(path: path, reason: "a task needs name and template")
        }
        self.name = name
        template = try TaskTemplate(json: t, path: path + ".template")
        defaults = try LiteralMap(json: json["defaults"] ?? .object([:]), path: path + ".defaults")
        retries = Int(json["retries"]?.integerValue ?? 0)
        timeout = json["timeout"]?.stringValue.flatMap(Duration.init(aloftWireString:))
        interruptible = json["interruptible"]?.boolValue ?? false
        location = SourceLocation(parsing: json["location"]?.stringValue ?? "")
        cache = json["cache"].map { c in
            CachePolicy(
                version: c["version"]?.stringValue ?? "", serialize: c["serialize"]?.boolValue ?? false,
                ignoredInputs: (c["ignore"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
    }
}

extension CompiledWorkflow {
    public var json: JSON {
        .object([
            "name": .string(name), "inputs": interface.inputs.json, "outputs": interface.outputs.json,
            "defaults": defaults.json,
            "nodes": .array(nodes.map(\.json)), "bindings": .object(outputs.mapValues(\.json)),
            "location": .string(location.description),
        ])
    }

    public init(json: JSON, path: String) throws(WireError) {
        guard let name = json["name"]?.stringValue else {
            throw WireError(path: path, reason: "a workflow needs a name")
        }
        self.name = name
        interface = TaskInterface(
            inputs: try TypeMap(json: json["inputs"] ?? .object([:]), path: path + ".inputs"),
            outputs: try TypeMap(json: json["outputs"] ?? .object([:]), path: path + ".outputs"))
        defaults = try LiteralMap(json: json["defaults"] ?? .object([:]), path: path + ".defaults")
        var nodes: [CompiledNode] = []
        for (i, n) in (json["nodes"]?.arrayValue ?? []).enumerated() {
            nodes.append(try CompiledNode(json: n, path: "\(path).nodes[\(i)]"))
        }
        self.nodes = nodes
        var outputs: [String: Binding] = [:]
        for (k, v) in json["bindings"]?.objectValue ?? [:] {
            outputs[k] = try Binding(json: v, path: "\(path).bindings.\(k)")
        }
        self.outputs = outputs
        location = SourceLocation(parsing: json["location"]?.stringValue ?? "")
    }
}

extension CompiledSpec {
    /// Everything `workflow` needs: itself, the workflows it calls (transitively) and their tasks.
    public func plan(for workflow: String) -> CompiledSpec? {
        guard workflows[workflow] != nil else { return nil }
        var needWorkflows: Set<String> = [workflow]
        var needTasks: Set<String> = []
        var queue = [workflow]
        while let w = queue.popLast() {
            // By index: iterating the nodes would copy every one (a workflow of 10,000 before each execution).
            guard let nodes = workflows[w]?.nodes else { continue }
            for i in nodes.indices {
                var calls: [CompiledCall] = []
                switch nodes[i].kind {
                case .call(let c): calls = [c]
                case .map(let m): calls = [m.call]
                case .branch(let cases):
                    calls = cases.compactMap { if case .call(let c) = $0.body { return c } else { return nil } }
                }
                for c in calls {
                    switch c.target {
                    case .task(let t): needTasks.insert(t)
                    case .workflow(let sub): if needWorkflows.insert(sub).inserted { queue.append(sub) }
                    }
                }
            }
        }
        return CompiledSpec(
            tasks: tasks.filter { needTasks.contains($0.key) },
            workflows: workflows.filter { needWorkflows.contains($0.key) },
            files: files)
    }

    public var json: JSON {
        var o: [String: JSON] = [
            "version": .integer(1), "tasks": .object(tasks.mapValues(\.json)),
            "workflows": .object(workflows.mapValues(\.json)),
            "files": .array(files.map(JSON.string)),
        ]
        // Only when there are some: plans stored by executions before launch plans existed keep their bytes.
        if !launchPlans.isEmpty { o["launch_plans"] = .object(launchPlans.mapValues(\.json)) }
        return .object(o)
    }

    public init(json: JSON) throws(WireError) {
        guard json["version"]?.integerValue == 1 else {
            throw WireError(path: "version", reason: "expected compiled spec version 1")
        }
        var tasks: [String: CompiledTask] = [:]
        for (k, v) in json["tasks"]?.objectValue ?? [:] { tasks[k] = try CompiledTask(json: v, path: "tasks.\(k)") }
        var workflows: [String: CompiledWorkflow] = [:]
        for (k, v) in json["workflows"]?.objectValue ?? [:] {
            workflows[k] = try CompiledWorkflow(json: v, path: "workflows.\(k)")
        }
        var launchPlans: [String: CompiledLaunchPlan] = [:]
        for (k, v) in json["launch_plans"]?.objectValue ?? [:] {
            launchPlans[k] = try CompiledLaunchPlan(json: v, path: "launch_plans.\(k)")
        }
        self.init(
            tasks: tasks, workflows: workflows, files: (json["files"]?.arrayValue ?? []).compactMap(\.stringValue),
            launchPlans: launchPlans)
    }
}

extension SourceLocation {
    /// Reads `file:line:column` back (file names may contain colons).
    init(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count >= 3, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]) {
            self.init(file: parts.dropLast(2).joined(separator: ":"), line: line, column: column)
        } else {
            self.init(file: text, line: 0, column: 0)
        }
    }
}
