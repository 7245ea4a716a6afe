import AloftCommandLine
import AloftCompiler
import AloftEngine
import AloftSystem
import AloftWire
import ArgumentParser
import FoundationEssentials
import PluginHost

enum SpecCompilation {
    /// Compiles against the plugins the configuration loads; prints every error and fails when there is one.
    static func compile(
        _ files: [String], host options: HostOptions, references: any ReferenceResolver = NoRegistry()
    ) async throws -> CompiledSpec {
        let host = try await HostStartup.start(options)
        defer { host.shutdown() }
        return try compile(files, host: host, references: references)
    }

    /// The same with a host that is already running (one host per process: plugins see one host table).
    static func compile(
        _ files: [String], host: PluginHost, references: any ReferenceResolver = NoRegistry()
    ) throws -> CompiledSpec {
        let result = Compiler(resolver: PluginTaskTypeResolver(host: host), references: references).compile(
            files: files)
        guard let spec = result.spec else {
            var stderr = StandardError()
            for d in result.diagnostics { print(d, to: &stderr) }
            print("\(result.diagnostics.count) error\(result.diagnostics.count == 1 ? "" : "s")", to: &stderr)
            throw ExitCode(1)
        }
        return spec
    }
}

struct CompileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Check workflow spec files: every error with file:line:column, or a summary of what they define.",
        discussion: "Task types are checked against the plugins the configuration loads. Exits 1 when there are errors."
    )

    @Argument(help: "Spec files (YAML or JSON).") var files: [String]
    @OptionGroup var host: HostOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let spec = try await SpecCompilation.compile(
            files, host: host, references: try storeOptions.referencesIfPresent())
        print("\(files.joined(separator: ", ")): ok")
        for name in spec.tasks.keys.sorted() {
            let t = spec.tasks[name]!
            print(
                "  task \(name) (\(t.template.type), version \(t.template.version))"
                    + (t.cache.map { " cached v\($0.version)" } ?? "") + (t.retries > 0 ? ", \(t.retries) retries" : "")
            )
            print("    inputs:  \(GraphRenderer.signature(t.interface.inputs, defaults: t.defaults))")
            print("    outputs: \(GraphRenderer.signature(t.interface.outputs))")
        }
        for name in spec.workflows.keys.sorted() {
            let w = spec.workflows[name]!
            var kinds: [String: Int] = [:]
            for n in w.nodes { kinds[n.kindName, default: 0] += 1 }
            let breakdown = kinds.keys.sorted().map { "\(kinds[$0]!) \($0)" }.joined(separator: ", ")
            print("  workflow \(name): \(w.nodes.count) node\(w.nodes.count == 1 ? "" : "s") (\(breakdown))")
            print("    inputs:  \(GraphRenderer.signature(w.interface.inputs, defaults: w.defaults))")
            print("    outputs: \(GraphRenderer.signature(w.interface.outputs))")
        }
    }
}

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Show a workflow's DAG: a readable tree in the terminal, Graphviz DOT with --dot.")

    @Argument(help: "The spec file.") var file: String
    @Option(help: "The workflow to draw (default: the only workflow of the file that no other workflow calls).")
    var workflow: String?
    @Option(help: "Write Graphviz DOT to this file ('-' for standard output).") var dot: String?
    @OptionGroup var host: HostOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let spec = try await SpecCompilation.compile(
            [file], host: host, references: try storeOptions.referencesIfPresent())
        let name: String
        switch spec.workflowToRun(named: workflow, file: file) {
        case .success(let chosen): name = chosen
        case .failure(let e): throw CLIError(e.description)
        }
        let w = spec.workflows[name]!
        if let dot {
            let text = GraphRenderer.dot(w)
            if dot == "-" {
                print(text, terminator: "")
                return
            }
            do { try text.write(toFile: dot, atomically: true, encoding: .utf8) } catch {
                throw CLIError("cannot write \(dot): \(error.systemText)")
            }
            print("wrote \(dot) (render with: dot -Tsvg \(dot) -o \(PathString.deletingExtension(dot)).svg)")
        }
        print(GraphRenderer.tree(w), terminator: "")
    }
}
