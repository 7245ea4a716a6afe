import AloftCommandLine
import AloftEngine
import AloftWire
import ArgumentParser
import FoundationEssentials

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "List and clear cached task outputs.",
        subcommands: [List.self, Clear.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Only this project.") var project: String?
        @Option(help: "Only this domain.") var domain: String?
        @Option(help: "Only this task.") var task: String?

        func run() async throws {
            let (store, _) = try storeOptions.open()
            let rows = try store.cacheEntries(project: project, domain: domain, task: task).map { e in
                [
                    String(e.key.prefix(12)), "\(e.project)/\(e.domain)", e.task, e.cacheVersion,
                    "\(e.producer.execution)/\(e.producer.node)",
                    e.createdAt.ISO8601Format(),
                ]
            }
            print(
                PluginReport.table([["KEY", "PROJECT/DOMAIN", "TASK", "VERSION", "PRODUCED BY", "CREATED"]] + rows),
                terminator: "")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Only this project.") var project: String?
        @Option(help: "Only this domain.") var domain: String?
        @Option(help: "Only this task.") var task: String?
        @Flag(help: "Clear every entry (required when no filter is given).") var all = false

        func run() async throws {
            guard all || project != nil || domain != nil || task != nil else {
                throw CLIError("say what to clear: --task NAME, --project P, --domain D, or --all")
            }
            let (store, _) = try storeOptions.open()
            let n = try store.clearCache(project: project, domain: domain, task: task)
            print("cleared \(n) cache entr\(n == 1 ? "y" : "ies")")
        }
    }
}

struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "What a node's outputs were made from (upstream) and what used them (downstream).",
        discussion: "The argument is EXECUTION/NODE (a node path as `aloft executions show` prints it).")

    @Argument(help: "EXECUTION/NODE") var artifact: String
    @Option(help: "How many levels to follow.") var depth = 5
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        guard let slash = artifact.firstIndex(of: "/") else { throw CLIError("\(artifact): expected EXECUTION/NODE") }
        let execution = String(artifact[..<slash]), node = String(artifact[artifact.index(after: slash)...])
        let (store, _) = try storeOptions.open()
        guard let record = try store.nodes(execution: execution).first(where: { $0.node == node }) else {
            throw CLIError("no node \(node) in execution \(execution)")
        }
        print(
            "\(artifact)  \(record.state.phase.rawValue)  attempt \(record.state.attempt)  task version \(record.taskVersion ?? "-")"
                + (record.cachedFrom.map { "  (cached: outputs of \($0))" } ?? ""))
        print("upstream:")
        try walk(store, execution, node, depth: depth, indent: "  ", up: true)
        print("downstream:")
        try walk(store, execution, node, depth: depth, indent: "  ", up: false)
    }

    private func walk(
        _ store: any MetadataStore, _ execution: String, _ node: String, depth: Int, indent: String, up: Bool
    ) throws {
        guard depth > 0 else { return }
        let (upstream, downstream) = try store.lineage(execution: execution, node: node)
        let edges = up ? upstream : downstream
        if edges.isEmpty && indent == "  " { print("\(indent)(none)") }
        for e in edges {
            let (ex, n) = up ? (e.sourceExecution, e.sourceNode) : (e.execution, e.node)
            let label = up ? "\(e.input) <- \(ex)/\(n).\(e.sourceOutput)" : "\(e.sourceOutput) -> \(ex)/\(n).\(e.input)"
            let cached = try store.nodes(execution: ex).first { $0.node == n }?.cachedFrom
            print(indent + label + (cached.map { "  (cached from \($0))" } ?? ""))
            try walk(store, ex, n, depth: depth - 1, indent: indent + "  ", up: up)
        }
    }
}
