import AloftSystem
import AloftTyping
public import AloftWire
import FoundationEssentials
import LocatedYAML

/// Checks one task: its type is served, its interface is typed, defaults have their types, cache and
/// container templates name real inputs. Builds the task template the plugin will receive.
struct TaskChecker {
    let resolver: any TaskTypeResolver

    /// Placeholders container arguments may use. `{{spec_dir}}` is filled here, at compile time, with the
    /// directory of the spec file (scripts that ship beside the spec); the others by the plugin at run time.
    static let templateHelp = "{{inputs.NAME}}, {{input_file}}, {{output_dir}} or {{spec_dir}}"

    func check(_ t: TaskSpec, _ d: inout Diagnostics) -> CompiledTask? {
        let before = d.all.count
        let what = "task \"\(t.name.value)\""
        if let type = t.type, !resolver.serves(type.value) {
            d.error(type.location, "\(what): \(resolver.explainUnserved(type.value))")
        }
        let (inputs, defaults) = typedInputs(t.inputs, of: what, &d)
        let specDir = URL(fileURLWithPath: t.name.location.file).deletingLastPathComponent().standardizedFileURL.path
        var outputs: TypeMap = [:]
        for p in t.outputs { if let type = p.type { outputs[p.name.value] = type } }

        let inputNames = NameCatalog(inputs.keys)
        var cache: CachePolicy?
        if let c = t.cache {
            let declared = Set(t.inputs.map(\.name.value))
            for ignored in c.ignore where inputs[ignored.value] == nil && !declared.contains(ignored.value) {
                d.error(
                    ignored.location,
                    "cache of \(what) ignores \"\(ignored.value)\", which is not an input; inputs: \(inputNames.listed)"
                )
            }
            if t.outputs.isEmpty {
                d.error(
                    t.name.location,
                    "\(what) is cached but has no outputs: there is nothing to reuse; remove \"cache\" or declare outputs"
                )
            }
            cache = CachePolicy(
                version: c.version, serialize: c.serialize, ignoredInputs: c.ignore.map(\.value).sorted())
        }

        var extra: [String: JSON] = [:]
        if let c = t.container {
            for arg in c.command + c.args { checkTemplates(arg, inputs: inputs, names: inputNames, of: what, &d) }
            let fill = { (s: String) in s.replacing("{{spec_dir}}", with: specDir) }
            var container: [String: JSON] = [
                "command": .array(c.command.map { .string(fill($0.value)) }),
                "args": .array(c.args.map { .string(fill($0.value)) }),
                "env": .object(c.env.mapValues { .string(fill($0)) }),
            ]
            if let image = c.image { container["image"] = .string(image) }
            if let backend = c.backend { container["backend"] = .string(backend) }
            if let network = c.network { container["network"] = .string(network.value) }
            if !c.mounts.isEmpty {
                container["mounts"] = .array(
                    c.mounts.compactMap { mount(fill($0.value), $0, specDir: specDir, of: what, &d) })
            }
            extra["container"] = .object(container)
        }
        if !t.resources.isEmpty { extra["resources"] = .object(t.resources) }
        if let timeout = t.timeout { extra["timeout"] = .string(timeout.aloftWireString) }
        extra["retries"] = .integer(Int64(t.retries))
        extra["interruptible"] = .bool(t.interruptible)

        guard d.all.count == before, let type = t.type else { return nil }
        var template = TaskTemplate(
            name: t.name.value, version: t.version ?? "", type: type.value,
            interface: TaskInterface(inputs: inputs, outputs: outputs),
            config: Self.fillingSpecDir(t.config, specDir),
            secrets: t.secrets, extra: extra)
        if t.version == nil {
            // Unversioned tasks are versioned by their content: any change is a new version.
            var content = template.json.objectValue ?? [:]
            content["defaults"] = defaults.json
            if let cache {
                content["cache"] = .object([
                    "version": .string(cache.version), "serialize": .bool(cache.serialize),
                    "ignore": .array(cache.ignoredInputs.map(JSON.string)),
                ])
            }
            template.version = String(CanonicalHash.of(JSON.object(content)).prefix(16))
        }
        // The serving plugin's own checks (aloft.task-check/1), each placed where the spec says it.
        let problems = resolver.check(template)
        for p in problems { d.error(Self.place(p.path, in: t), "\(what): \(p.message)") }
        guard problems.isEmpty else { return nil }
        return CompiledTask(
            name: t.name.value, template: template, defaults: defaults, retries: t.retries, timeout: t.timeout,
            cache: cache, interruptible: t.interruptible, location: t.name.location)
    }

    /// `{{spec_dir}}` in the strings of a task's plugin config is the spec file's directory, as in container
    /// arguments: files that ship beside the spec (a Spark application, a query file).
    static func fillingSpecDir(_ j: JSON, _ specDir: String) -> JSON {
        switch j {
        case .string(let s) where s.contains("{{spec_dir}}"):
            return .string(s.replacing("{{spec_dir}}", with: specDir))
        case .array(let items): return .array(items.map { fillingSpecDir($0, specDir) })
        case .object(let members): return .object(members.mapValues { fillingSpecDir($0, specDir) })
        default: return j
        }
    }

    /// The place in the spec of a path into the task's template: the template's `interface.inputs.x` is the
    /// spec's `inputs.x`, everything else has the same keys. A path the spec does not have (a default the
    /// plugin filled in) lands on the nearest enclosing place that it does.
    static func place(_ path: [JSONPathStep], in t: TaskSpec) -> SourceLocation {
        guard var node = t.located else { return t.name.location }
        var steps = path[...]
        if steps.first == .key("interface") { steps = steps.dropFirst() }
        for step in steps {
            switch (step, node) {
            case (.key(let k), .mapping(let members, _)):
                guard let member = members.first(where: { $0.key == k }) else { return node.location }
                node = member.value
            case (.index(let i), .sequence(let items, _)) where items.indices.contains(i):
                node = items[i]
            default:
                return node.location
            }
        }
        return node.location
    }

    /// A mount's source and target are absolute paths after `{{spec_dir}}` is filled; a relative source is
    /// taken from the spec's directory.
    private func mount(
        _ text: String, _ at: Located<String>, specDir: String, of what: String, _ d: inout Diagnostics
    ) -> JSON? {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var mode: String?
        if parts.count > 1, let last = parts.last, last == "ro" || last == "rw" { mode = parts.removeLast() }
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }),
            parts.count == 1 || parts[1].hasPrefix("/")
        else {
            d.error(
                at.location,
                "mount \"\(at.value)\" in container of \(what) must read SOURCE[:TARGET][:ro|rw] with an absolute TARGET"
            )
            return nil
        }
        if !parts[0].hasPrefix("/") {
            parts[0] =
                URL(fileURLWithPath: parts[0], relativeTo: URL(fileURLWithPath: specDir + "/")).standardizedFileURL.path
        }
        return .string((parts + (mode.map { [$0] } ?? [])).joined(separator: ":"))
    }

    /// `{{inputs.x}}` must name an input; `{{input_file}}` and `{{output_dir}}` are always there.
    private func checkTemplates(
        _ arg: Located<String>, inputs: TypeMap, names: NameCatalog, of what: String, _ d: inout Diagnostics
    ) {
        var rest = Substring(arg.value)
        var offset = 0
        while let open = rest.firstRange(of: "{{") {
            let start = offset + rest.distance(from: rest.startIndex, to: open.lowerBound)
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                d.error(column(arg, start), "unclosed \"{{\" in an argument of \(what); expected \(Self.templateHelp)")
                return
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingWhitespace()
            if name.hasPrefix("inputs.") {
                let input = String(name.dropFirst("inputs.".count))
                if inputs[input] == nil {
                    d.error(
                        column(arg, start),
                        "argument of \(what) uses {{\(name)}}, but the task has no input \"\(input)\"; inputs: \(names.listed)"
                    )
                }
            } else if name != "input_file" && name != "output_dir" && name != "spec_dir" {
                d.error(
                    column(arg, start),
                    "unknown placeholder {{\(name)}} in an argument of \(what); expected \(Self.templateHelp)")
            }
            offset += rest.distance(from: rest.startIndex, to: close.upperBound)
            rest = rest[close.upperBound...]
        }
    }

    private func column(_ arg: Located<String>, _ offset: Int) -> SourceLocation {
        var l = arg.location
        l.column += offset
        return l
    }
}

/// The declared inputs' types and their defaults, each default checked against its input's type.
func typedInputs(_ parameters: [ParameterSpec], of what: String, _ d: inout Diagnostics) -> (TypeMap, LiteralMap) {
    var types: TypeMap = [:]
    var defaults: LiteralMap = [:]
    for p in parameters {
        guard let type = p.type else { continue }
        types[p.name.value] = type
        guard let dv = p.defaultValue else { continue }
        switch LiteralCoercion.literal(dv, as: type) {
        case .success(let l):
            defaults[p.name.value] = l.resolvingLocalPaths(
                againstDirectory: URL(fileURLWithPath: dv.location.file).deletingLastPathComponent().path)
        case .failure(let e): d.error(e.location, "default of input \"\(p.name.value)\" of \(what): \(e.message)")
        }
    }
    return (types, defaults)
}

extension Literal {
    /// Relative blob and dataset paths made absolute `file://` URIs against `directory`: paths in a spec
    /// are relative to the spec file, paths on the command line to the working directory.
    public func resolvingLocalPaths(againstDirectory directory: String) -> Literal {
        func absolute(_ uri: String) -> String {
            guard !uri.contains("://"), !uri.hasPrefix("/") else { return uri }
            return "file://" + URL(fileURLWithPath: directory).appendingPathComponent(uri).standardizedFileURL.path
        }
        switch self {
        case .blob(var b):
            b.uri = absolute(b.uri)
            return .blob(b)
        case .dataset(var d):
            d.uri = absolute(d.uri)
            return .dataset(d)
        case .list(let items): return .list(items.map { $0.resolvingLocalPaths(againstDirectory: directory) })
        case .map(let m): return .map(m.mapValues { $0.resolvingLocalPaths(againstDirectory: directory) })
        default: return self
        }
    }
}
