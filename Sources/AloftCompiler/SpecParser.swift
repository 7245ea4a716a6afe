import AloftTyping
import AloftWire
import LocatedYAML

/// Turns a parsed document into a `SpecFile`, reporting every structural problem (unknown keys, wrong
/// kinds, missing fields, bad names, bad types) and keeping whatever could be read.
struct SpecParser {
    var d = Diagnostics()

    mutating func parse(_ root: LocatedValue, path: String) -> SpecFile {
        var spec = SpecFile(path: path)
        guard
            let top = MappingReader(
                root, "the spec", allowed: ["version", "imports", "tasks", "workflows", "references", "launch_plans"],
                &d)
        else { return spec }
        if let v = top["version"], !(v.json == .integer(1) || v.json == .string("1")) {
            d.error(
                v.location,
                "unsupported spec version \(v.json.kindName == "string" ? "\"\(v.json.stringValue!)\"" : "\(JSONWriter.string(v.json))"); expected 1"
            )
        }
        spec.imports = top.strings("imports", &d) ?? []
        for (name, value) in top.entries("tasks", &d) ?? [] {
            if let t = task(name, value) { spec.tasks.append(t) }
        }
        for (name, value) in top.entries("workflows", &d) ?? [] {
            if let w = workflow(name, value) { spec.workflows.append(w) }
        }
        if let r = top["references"] { spec.references = references(r) }
        for (name, value) in top.entries("launch_plans", &d) ?? [] {
            if let lp = launchPlan(name, value) { spec.launchPlans.append(lp) }
        }
        if !top.has("tasks") && !top.has("workflows") && !top.has("imports") && !top.has("launch_plans") {
            d.error(top.location, "the spec defines nothing; expected \"tasks\" and/or \"workflows\"")
        }
        return spec
    }

    private mutating func checkName(_ name: Located<String>, _ what: String) {
        if !Names.isIdentifier(name.value) {
            d.error(name.location, "invalid \(what) name \"\(name.value)\"; use \(Names.rule)")
        }
    }

    // MARK: Tasks

    private mutating func task(_ name: Located<String>, _ value: LocatedValue) -> TaskSpec? {
        checkName(name, "task")
        let what = "task \"\(name.value)\""
        guard
            let m = MappingReader(
                value, what,
                allowed: [
                    "type", "version", "description", "inputs", "outputs", "config", "container", "resources",
                    "retries",
                    "timeout", "cache", "interruptible", "secrets",
                ], &d)
        else { return nil }
        var t = TaskSpec(name: name)
        t.located = value
        if m.required("type", &d) != nil { t.type = m.string("type", &d) }
        if case .scalar(.integer(let v), _)? = m["version"] {
            t.version = String(v)
        } else {
            t.version = m.string("version", &d)?.value
        }
        t.inputs = parameters(m, "inputs", of: what, allowDefaults: true)
        t.outputs = parameters(m, "outputs", of: what, allowDefaults: false)
        if let c = m["config"] {
            if case .mapping = c {
                t.config = c.json
            } else {
                d.error(c.location, "config in \(what) must be a mapping, found \(c.kindName)")
            }
        }
        if let c = m["container"] { t.container = container(c, of: what) }
        if let r = m["resources"] { t.resources = resources(r, of: what) }
        t.retries = m.int("retries", range: 0...100, &d) ?? 0
        if let to = m.string("timeout", &d) {
            if let duration = HumanDuration.parse(to.value) {
                if duration > .zero {
                    t.timeout = duration
                } else {
                    d.error(to.location, "timeout in \(what) must be longer than zero")
                }
            } else {
                d.error(
                    to.location,
                    "timeout \"\(to.value)\" in \(what) is not a duration; expected something like 90s, 10m or 1h30m")
            }
        }
        if let c = m["cache"] { t.cache = cache(c, of: what) }
        t.interruptible = m.bool("interruptible", &d) ?? false
        t.secrets = (m.strings("secrets", &d) ?? []).map(\.value)
        return t
    }

    private mutating func parameters(
        _ m: MappingReader, _ key: String, of what: String, allowDefaults: Bool
    ) -> [ParameterSpec] {
        var out: [ParameterSpec] = []
        for (name, value) in m.entries(key, &d) ?? [] {
            checkName(name, String(key.dropLast()))
            var p = ParameterSpec(name: name)
            var typeValue: LocatedValue? = value
            if case .mapping = value {
                // Either {type: T, default: V, description: D} or a wire-form type like {list: integer}.
                let keys = Set(value.json.objectValue?.keys.map { $0 } ?? [])
                if keys.contains("type") || keys.contains("default") || keys.contains("description") {
                    let allowed = allowDefaults ? ["type", "default", "description"] : ["type", "description"]
                    guard
                        let pm = MappingReader(
                            value, "\(key.dropLast()) \"\(name.value)\" of \(what)", allowed: allowed, &d)
                    else { continue }
                    typeValue = pm.required("type", &d)
                    p.defaultValue = pm["default"]
                    p.description = pm.string("description", &d)?.value
                }
            }
            if let typeValue {
                switch TypeSyntax.parse(typeValue) {
                case .success(let t): p.type = t
                case .failure(let e): d.add(e)
                }
            }
            out.append(p)
        }
        return out
    }

    private mutating func container(_ value: LocatedValue, of what: String) -> ContainerSpec? {
        guard
            let m = MappingReader(
                value, "container of \(what)",
                allowed: ["image", "command", "args", "env", "backend", "mounts", "network"], &d)
        else { return nil }
        var c = ContainerSpec()
        c.image = m.string("image", &d)?.value
        c.command = m.strings("command", &d) ?? []
        c.args = m.strings("args", &d) ?? []
        let backend = m.string("backend", &d)
        c.backend = backend?.value
        if let backend, !["process", "podman"].contains(backend.value) {
            d.error(
                backend.location,
                "backend in container of \(what) must be process or podman, found \"\(backend.value)\"")
        }
        c.mounts = m.strings("mounts", &d) ?? []
        c.network = m.string("network", &d)
        if let network = c.network, !["none", "host"].contains(network.value) {
            d.error(
                network.location, "network in container of \(what) must be none or host, found \"\(network.value)\"")
        }
        for (k, v) in m.entries("env", &d) ?? [] {
            switch v {
            case .scalar(.string(let s), _): c.env[k.value] = s
            case .scalar(.integer(let i), _): c.env[k.value] = String(i)
            case .scalar(.bool(let b), _): c.env[k.value] = String(b)
            case .scalar(.float(let f), _): c.env[k.value] = String(f)
            default: d.error(v.location, "env \(k.value) in container of \(what) must be a string, found \(v.kindName)")
            }
        }
        if c.command.isEmpty && c.image == nil {
            d.error(m.location, "container of \(what) needs a \"command\" or an \"image\"")
        }
        return c
    }

    private mutating func resources(_ value: LocatedValue, of what: String) -> [String: JSON] {
        guard let m = MappingReader(value, "resources of \(what)", allowed: ["cpu", "memory", "gpu"], &d) else {
            return [:]
        }
        var out: [String: JSON] = [:]
        if let cpu = m["cpu"] {
            if let n = cpu.json.numberValue, n > 0 {
                out["cpu"] = .float(n)
            } else {
                d.error(cpu.location, "cpu in resources of \(what) must be a number of cores greater than 0")
            }
        }
        if let mem = m["memory"] {
            let text: String? = {
                if case .scalar(.string(let s), _) = mem { return s }
                if case .scalar(.integer(let i), _) = mem { return String(i) }
                return nil
            }()
            if let text, let bytes = MemoryQuantity.bytes(text) {
                out["memory_bytes"] = .integer(bytes)
            } else {
                d.error(mem.location, "memory in resources of \(what) must be a quantity like 512Mi, 2Gi or 1G")
            }
        }
        if let gpu = m.int("gpu", range: 0...64, &d) { out["gpu"] = .integer(Int64(gpu)) }
        return out
    }

    private mutating func cache(_ value: LocatedValue, of what: String) -> CacheSpec? {
        if case .scalar(.bool(false), _) = value { return nil }
        guard let m = MappingReader(value, "cache of \(what)", allowed: ["version", "serialize", "ignore"], &d) else {
            return nil
        }
        guard m.required("version", &d) != nil else { return nil }
        let version: String
        switch m["version"]! {
        case .scalar(.string(let s), _) where !s.isEmpty: version = s
        case .scalar(.integer(let i), _): version = String(i)
        case let v:
            d.error(v.location, "version in cache of \(what) must be a string such as \"1\"")
            return nil
        }
        return CacheSpec(
            version: version, serialize: m.bool("serialize", &d) ?? false, ignore: m.strings("ignore", &d) ?? [])
    }

    // MARK: References and launch plans

    private mutating func references(_ value: LocatedValue) -> [ReferenceSpec] {
        guard let m = MappingReader(value, "references", allowed: ["tasks", "workflows"], &d) else { return [] }
        var out: [ReferenceSpec] = []
        for kind in [ReferenceSpec.Kind.task, .workflow] {
            for (alias, target) in m.entries(kind.rawValue + "s", &d) ?? [] {
                checkName(alias, kind.rawValue)
                guard case .scalar(.string(let text), let location) = target else {
                    d.error(
                        target.location,
                        "reference \"\(alias.value)\" must be a string \(EntityRef.syntax), found \(target.kindName)")
                    continue
                }
                guard let ref = EntityRef(parsing: text) else {
                    d.error(
                        location,
                        "reference \"\(alias.value)\": \"\(text)\" is not \(EntityRef.syntax) (the version is required)"
                    )
                    continue
                }
                out.append(ReferenceSpec(alias: alias, kind: kind, ref: ref, location: location))
            }
        }
        return out
    }

    private mutating func launchPlan(_ name: Located<String>, _ value: LocatedValue) -> LaunchPlanSpec? {
        checkName(name, "launch plan")
        let what = "launch plan \"\(name.value)\""
        guard
            let m = MappingReader(
                value, what, allowed: ["workflow", "description", "defaults", "fixed", "labels", "schedule"], &d)
        else {
            return nil
        }
        var lp = LaunchPlanSpec(name: name)
        if m.required("workflow", &d) != nil { lp.workflow = m.string("workflow", &d) }
        lp.description = m.string("description", &d)?.value
        for key in ["defaults", "fixed"] {
            guard let v = m[key] else { continue }
            guard case .mapping(let members, _) = v else {
                d.error(v.location, "\(key) of \(what) must be a mapping of input names to values, found \(v.kindName)")
                continue
            }
            if key == "defaults" { lp.defaults = members } else { lp.fixed = members }
        }
        if let l = m["labels"] {
            if case .mapping(let members, _) = l {
                for member in members {
                    guard case .scalar(let j, _) = member.value else {
                        d.error(member.value.location, "label \"\(member.key)\" of \(what) must be a plain value")
                        continue
                    }
                    lp.labels[member.key] = j.stringValue ?? JSONWriter.string(j)
                }
            } else {
                d.error(l.location, "labels of \(what) must be a mapping, found \(l.kindName)")
            }
        }
        lp.schedule = m.string("schedule", &d)
        return lp
    }

    // MARK: Workflows

    private mutating func workflow(_ name: Located<String>, _ value: LocatedValue) -> WorkflowSpec? {
        checkName(name, "workflow")
        let what = "workflow \"\(name.value)\""
        guard let m = MappingReader(value, what, allowed: ["description", "inputs", "outputs", "nodes"], &d) else {
            return nil
        }
        var w = WorkflowSpec(name: name)
        w.inputs = parameters(m, "inputs", of: what, allowDefaults: true)
        for (oname, ovalue) in m.entries("outputs", &d) ?? [] {
            checkName(oname, "output")
            var o = WorkflowOutputSpec(name: oname)
            guard
                let om = MappingReader(
                    ovalue, "output \"\(oname.value)\" of \(what)", allowed: ["type", "from", "description"], &d)
            else { continue }
            if let t = om.required("type", &d) {
                switch TypeSyntax.parse(t) {
                case .success(let type): o.type = type
                case .failure(let e): d.add(e)
                }
            }
            o.from = om["from"]
            if o.from == nil {
                d.error(
                    oname.location, "output \"\(oname.value)\" of \(what) is not bound; expected \"from: $node.output\""
                )
            }
            w.outputs.append(o)
        }
        guard let nodes = m.required("nodes", &d) else { return w }
        guard case .sequence(let items, _) = nodes else {
            d.error(nodes.location, "nodes of \(what) must be a list of nodes, found \(nodes.kindName)")
            return w
        }
        if items.isEmpty { d.error(nodes.location, "\(what) has no nodes") }
        for item in items { if let n = node(item, of: what) { w.nodes.append(n) } }
        return w
    }

    private mutating func node(_ value: LocatedValue, of what: String) -> NodeSpec? {
        guard
            let m = MappingReader(
                value, "a node of \(what)", allowed: ["id", "task", "workflow", "inputs", "branch", "map"], &d)
        else { return nil }
        guard m.required("id", &d) != nil, let id = m.string("id", &d) else { return nil }
        checkName(id, "node")
        let nodeWhat = "node \"\(id.value)\""
        let kinds = ["task", "workflow", "branch", "map"].filter { m.has($0) }
        guard kinds.count == 1 else {
            d.error(
                m.location,
                kinds.isEmpty
                    ? "\(nodeWhat) needs one of \"task\", \"workflow\", \"branch\" or \"map\""
                    : "\(nodeWhat) has \(kinds.map { "\"\($0)\"" }.joined(separator: " and ")); a node does exactly one of task, workflow, branch or map"
            )
            return nil
        }
        switch kinds[0] {
        case "branch":
            if m.has("inputs") {
                d.error(m.members["inputs"]!.key, "\(nodeWhat) is a branch: give inputs to each case, not to the node")
            }
            return NodeSpec(id: id, kind: .branch(branch(m["branch"]!, of: nodeWhat)), location: m.location)
        case "map":
            if m.has("inputs") {
                d.error(m.members["inputs"]!.key, "\(nodeWhat) is a map node: put inputs under \"map\"")
            }
            guard let spec = mapSpec(m["map"]!, of: nodeWhat) else { return nil }
            return NodeSpec(id: id, kind: .map(spec), location: m.location)
        default:
            guard let call = call(m, of: nodeWhat) else { return nil }
            return NodeSpec(id: id, kind: .call(call), location: m.location)
        }
    }

    /// `task: NAME` or `workflow: NAME`, with `inputs:`.
    private mutating func call(_ m: MappingReader, of what: String) -> CallSpec? {
        var target: CallTarget?
        if let t = m.string("task", &d) {
            target = .task(t)
        } else if let w = m.string("workflow", &d) {
            target = .workflow(w)
        }
        guard let target else {
            if !m.has("task") && !m.has("workflow") { d.error(m.location, "\(what) needs \"task\" or \"workflow\"") }
            return nil
        }
        var inputs: [BindingSpec] = []
        for (name, value) in m.entries("inputs", &d) ?? [] { inputs.append(BindingSpec(name: name, value: value)) }
        return CallSpec(target: target, inputs: inputs, location: m.location)
    }

    private mutating func branch(_ value: LocatedValue, of what: String) -> [BranchCaseSpec] {
        guard case .sequence(let items, _) = value, !items.isEmpty else {
            d.error(
                value.location,
                "branch of \(what) must be a list of cases: - if: ... then: ..., - elif: ..., - else: ...")
            return []
        }
        var cases: [BranchCaseSpec] = []
        for (i, item) in items.enumerated() {
            guard let m = MappingReader(item, "a case of \(what)", allowed: ["if", "elif", "then", "else"], &d) else {
                continue
            }
            let keyword = ["if", "elif", "else"].filter { m.has($0) }
            guard keyword.count == 1 else {
                d.error(m.location, "each case of \(what) starts with exactly one of \"if\", \"elif\" or \"else\"")
                continue
            }
            let k = keyword[0]
            if i == 0 && k != "if" {
                d.error(m.members[k]!.key, "the first case of \(what) must be \"if\", found \"\(k)\"")
            }
            if i > 0 && k == "if" {
                d.error(m.members[k]!.key, "only the first case of \(what) is \"if\"; use \"elif\"")
            }
            if k == "else" && i != items.count - 1 {
                d.error(m.members[k]!.key, "\"else\" must be the last case of \(what)")
            }
            if k == "else" {
                if m.has("then") {
                    d.error(
                        m.members["then"]!.key, "an \"else\" case has no \"then\": write else: {task: ..., inputs: ...}"
                    )
                }
                if let body = caseBody(m["else"]!, of: what) {
                    cases.append(BranchCaseSpec(condition: nil, body: body, location: m.location))
                }
            } else {
                guard case .scalar(.string(let cond), let cl) = m[k]! else {
                    d.error(m[k]!.location, "\(k) in \(what) must be a condition string such as \"$inputs.n > 3\"")
                    continue
                }
                guard let then = m.required("then", &d), let body = caseBody(then, of: what) else { continue }
                cases.append(BranchCaseSpec(condition: Located(cond, cl), body: body, location: m.location))
            }
        }
        return cases
    }

    private mutating func caseBody(_ value: LocatedValue, of what: String) -> BranchBody? {
        guard let m = MappingReader(value, "a case of \(what)", allowed: ["task", "workflow", "inputs", "fail"], &d)
        else { return nil }
        if let message = m.string("fail", &d) {
            if m.has("task") || m.has("workflow") {
                d.error(m.location, "a case of \(what) either fails or calls a task, not both")
            }
            return .fail(message.value)
        }
        return call(m, of: what).map(BranchBody.call)
    }

    private mutating func mapSpec(_ value: LocatedValue, of what: String) -> MapSpec? {
        guard
            let m = MappingReader(
                value, "map of \(what)",
                allowed: ["task", "workflow", "over", "inputs", "concurrency", "min_success_ratio"], &d)
        else { return nil }
        guard let call = call(m, of: "map of \(what)") else { return nil }
        var over: BindingSpec?
        if let entries = m.entries("over", &d) {
            if entries.count == 1 {
                over = BindingSpec(name: entries[0].key, value: entries[0].value)
            } else {
                d.error(
                    m["over"]!.location,
                    "over in map of \(what) must bind exactly one input to a list, as in over: {row: $prep.rows}")
            }
        } else if !m.has("over") {
            d.error(m.location, "map of \(what) is missing \"over\" (the input that takes each item of a list)")
        }
        var ratio = 1.0
        if let r = m["min_success_ratio"] {
            if let v = r.json.numberValue, v > 0, v <= 1 {
                ratio = v
            } else {
                d.error(r.location, "min_success_ratio in map of \(what) must be a number greater than 0 and at most 1")
            }
        }
        return MapSpec(
            call: call, over: over, concurrency: m.int("concurrency", range: 1...100_000, &d), minSuccessRatio: ratio)
    }
}

/// Kubernetes-style memory quantities: 512Mi, 2Gi, 1G, 1000000.
enum MemoryQuantity {
    static func bytes(_ text: String) -> Int64? {
        let units: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("K", 1e3), ("M", 1e6),
            ("G", 1e9), ("T", 1e12),
        ]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let n = Double(text.dropLast(suffix.count)), n > 0, n * factor < 9e18 else { return nil }
            return Int64(n * factor)
        }
        guard let n = Int64(text), n > 0 else { return nil }
        return n
    }
}
