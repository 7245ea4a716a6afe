import AloftCompiler
import AloftEngine
import AloftWire
import PluginHost

/// The task types a command will call, learned before the plugin host starts so that it initializes only
/// the plugins serving them (`PluginHost.start(taskTypes:)`).
enum SpecTaskTypes {
    /// A compilation of spec files made without plugins: every task type accepted, none checked.
    struct Draft {
        let spec: CompiledSpec
        var taskTypes: Set<String> { SpecTaskTypes.of(spec) }
    }

    /// The files compiled without plugins, or nil when they do not compile that way (the compile with every
    /// plugin loaded then reports why).
    static func draft(_ files: [String], references: any ReferenceResolver) -> Draft? {
        Compiler(resolver: AnyTaskType(), references: references).compile(files: files).spec.map(Draft.init)
    }

    /// The types of every task of a plan, its own, its sub-workflows' and the referenced ones.
    static func of(_ spec: CompiledSpec) -> Set<String> { Set(spec.tasks.values.map(\.template.type)) }

    /// The types whose plugins may wait for their first task call: those only tasks with a cache policy have
    /// (a re-run whose every node hits the cache calls no plugin). None when the cache is to be overwritten.
    static func deferrable(_ spec: CompiledSpec, overwriteCache: Bool) -> Set<String> {
        guard !overwriteCache else { return [] }
        let uncached = Set(spec.tasks.values.filter { $0.cache == nil }.map(\.template.type))
        return of(spec).subtracting(uncached)
    }

    /// The types of a stored execution's plan; nil when there is none to read (the engine reports why).
    static func of(execution: String, in store: any MetadataStore) -> Set<String>? {
        guard let record = try? store.execution(id: execution),
            let json = try? JSONParser.parse(record.spec), let spec = try? CompiledSpec(json: json)
        else { return nil }
        return of(spec)
    }

    /// The draft itself when compiling with the host could not tell anything more: every type is served and
    /// every serving plugin that checks tasks finds nothing wrong with the draft's templates (the compiler is
    /// a function of the files and the resolver's answers; with "served" and "no problems" for every task the
    /// compile with the host is the draft). Otherwise nil: compile with the host, which places each problem.
    static func reusable(_ draft: Draft, host: PluginHost) -> CompiledSpec? {
        for type in draft.taskTypes {
            guard case .success = host.servingPluginID(forTaskType: type) else { return nil }
        }
        let checks = PluginTaskTypeResolver(host: host)
        for task in draft.spec.tasks.values where !checks.check(task.template).isEmpty { return nil }
        return draft.spec
    }
}
