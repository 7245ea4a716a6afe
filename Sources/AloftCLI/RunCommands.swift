import AloftCommandLine
import AloftCompiler
import AloftEngine
import AloftSystem
import AloftTyping
import AloftWire
import ArgumentParser
import FoundationEssentials
import Glibc
import PluginHost

enum ExitCodes {
    /// Documented in `aloft run --help`.
    static let failed: Int32 = 2
    static let aborted: Int32 = 3
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Compile a spec and run one of its workflows on the embedded stores.",
        discussion: """
            Inputs: -i name=value (YAML syntax: 3, 0.5, [1, 2], {a: 1}; plain words are strings), or --inputs FILE \
            (YAML or JSON mapping). Exit codes: 0 succeeded; 1 bad spec, inputs or configuration; 2 the workflow \
            failed; 3 aborted.
            """)

    @Argument(help: "The spec file.") var file: String
    @Option(help: "The workflow to run (default: the only workflow of the file that no other workflow calls).")
    var workflow: String?
    @OptionGroup var inputOptions: InputOptions
    @Option(help: "Project.") var project = "default"
    @Option(help: "Domain.") var domain = "development"
    @Flag(help: "Do not reuse cached outputs; compute and replace them.") var overwriteCache = false
    @Flag(help: "Queue the execution for an `aloft worker` and print its id instead of running it here.")
    var detach = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var host: HostOptions

    func run() async throws {
        // A spec with errors creates no store; one that references registered entities needs the store's registry.
        let existing = try storeOptions.metadataIfPresent()
        let references = StoreOptions.references(existing)
        // Compiled once without plugins to learn its task types: only their plugins are initialized.
        let draft = SpecTaskTypes.draft([file], references: references)
        let pluginHost = try await HostStartup.start(
            host, taskTypes: draft?.taskTypes,
            deferring: draft.map { SpecTaskTypes.deferrable($0.spec, overwriteCache: overwriteCache) } ?? [])
        defer { pluginHost.shutdown() }
        let spec =
            try draft.flatMap { SpecTaskTypes.reusable($0, host: pluginHost) }
            ?? SpecCompilation.compile([file], host: pluginHost, references: references)
        let name = try chooseWorkflow(spec)
        let w = spec.workflows[name]!
        let given = try inputOptions.parse(for: w.interface, of: "workflow \(w.name)", defaults: w.defaults)
        let (store, blobs) = try storeOptions.open(metadata: existing)
        try RegistryCLI.checkScope(store, project: project, domain: domain)
        try await EngineSession.start(
            spec, workflow: name, inputs: given, project: project, domain: domain, label: "workflow \(name)",
            overwriteCache: overwriteCache, detach: detach, host: pluginHost, store: store, blobs: blobs)
    }

    private func chooseWorkflow(_ spec: CompiledSpec) throws -> String {
        switch spec.workflowToRun(named: workflow, file: file) {
        case .success(let name): return name
        case .failure(let e): throw CLIError(e.description)
        }
    }
}

/// What resume and recover share: open the stores, start the one plugin host, run an execution that Ctrl-C
/// aborts, report it.
enum EngineSession {
    /// A new execution, as `run` and `launch` start one: the header line, progress, Ctrl-C aborts, the report.
    static func start(
        _ plan: CompiledSpec, workflow: String, inputs: LiteralMap, project: String, domain: String, label: String,
        launchedFrom: String? = nil, labels: [String: String] = [:], overwriteCache: Bool, detach: Bool = false,
        host: PluginHost, store: any MetadataStore, blobs: any BlobStore
    ) async throws {
        if detach {
            return try enqueue(
                plan, workflow: workflow, inputs: inputs, project: project, domain: domain, launchedFrom: launchedFrom,
                labels: labels, overwriteCache: overwriteCache, store: store)
        }
        var options = EngineOptions()
        options.overwriteCache = overwriteCache
        options.quotas = host.configuration.quotas
        let engine = ExecutionEngine(host: host, store: store, blobs: blobs, options: options)
        defer { store.finishing() }
        let id = ExecutionID.make()
        let progress = ProgressPrinter(executionID: id)
        defer { StandardStreams.flushOutput() }  // the progress held, before an error thrown from here is printed
        print("execution \(id) (\(project)/\(domain)): \(label)")
        fflush(nil)  // the header before the progress lines, which bypass stdio
        let record = try await Interruptible.run(engine: engine, id: id) {
            do {
                return try await engine.run(
                    plan, workflow: workflow, inputs: inputs, project: project, domain: domain, id: id,
                    launchedFrom: launchedFrom, labels: labels, events: progress.handle)
            } catch let e as ExecutionEngine.Failure { throw CLIError(e.message) }
        }
        try Report.finish(record, progress: progress)
    }

    /// `--detach`: the execution is stored as queued for a worker (`aloft worker`); its id alone on stdout.
    private static func enqueue(
        _ plan: CompiledSpec, workflow: String, inputs: LiteralMap, project: String, domain: String,
        launchedFrom: String?, labels: [String: String], overwriteCache: Bool, store: any MetadataStore
    ) throws {
        guard !overwriteCache else {
            throw CLIError("--overwrite-cache and --detach: a worker runs a queued execution with the cache as it is")
        }
        let record: ExecutionRecord
        do {
            (record, _) = try ExecutionEngine.newExecution(
                plan, workflow: workflow, inputs: inputs, project: project, domain: domain, id: ExecutionID.make(),
                launchedFrom: launchedFrom, labels: labels)
        } catch let e as ExecutionEngine.Failure { throw CLIError(e.message) }
        try store.enqueue(record)
        print(record.id)
    }

    /// `planOf`: the execution whose plan's task types are the only ones the run calls (resume); nil, all.
    static func run(
        _ storeOptions: StoreOptions, _ host: HostOptions, executionID: String, planOf: String? = nil,
        _ body: @escaping @Sendable (ExecutionEngine, ProgressPrinter) async throws -> ExecutionRecord
    ) async throws {
        let (store, blobs) = try storeOptions.open()
        let taskTypes = planOf.flatMap { SpecTaskTypes.of(execution: $0, in: store) }
        let pluginHost = try await HostStartup.start(host, taskTypes: taskTypes)
        defer { pluginHost.shutdown() }
        var options = EngineOptions()
        options.quotas = pluginHost.configuration.quotas
        let engine = ExecutionEngine(host: pluginHost, store: store, blobs: blobs, options: options)
        defer { store.finishing() }
        let progress = ProgressPrinter(executionID: executionID)
        defer { StandardStreams.flushOutput() }  // the progress held, before an error thrown from here is printed
        let record = try await Interruptible.run(engine: engine, id: executionID) {
            do { return try await body(engine, progress) } catch let e as ExecutionEngine.Failure {
                throw CLIError(e.message)
            }
        }
        try Report.finish(record, progress: progress)
    }

    /// A new execution made from an old one (recover, relaunch): announced with its new id, then run.
    static func derive(
        from old: String, saying verb: String, _ storeOptions: StoreOptions, _ host: HostOptions,
        _ body: @escaping @Sendable (ExecutionEngine, String, String, ProgressPrinter) async throws -> ExecutionRecord
    ) async throws {
        let id = ExecutionID.make()
        print("execution \(id) \(verb) \(old)")
        fflush(nil)
        try await run(storeOptions, host, executionID: id) { engine, progress in
            try await body(engine, old, id, progress)
        }
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Finish an interrupted execution: succeeded nodes are kept, running ones are re-attached, not re-run."
    )

    @Argument(help: "The execution id.") var execution: String
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var host: HostOptions

    func run() async throws {
        let execution = self.execution
        try await EngineSession.run(storeOptions, host, executionID: execution, planOf: execution) {
            engine, progress in
            try await engine.resume(execution, events: progress.handle)
        }
    }
}

struct RecoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract:
            "Run a failed or aborted execution again as a new one, reusing the outputs of the nodes that succeeded.")

    @Argument(help: "The failed execution's id.") var execution: String
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var host: HostOptions

    func run() async throws {
        try await EngineSession.derive(from: execution, saying: "recovers", storeOptions, host) {
            engine, old, id, progress in
            try await engine.recover(old, newID: id, events: progress.handle)
        }
    }
}
