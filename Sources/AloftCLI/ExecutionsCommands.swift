import AloftCommandLine
import AloftEngine
import AloftWire
import ArgumentParser
import FoundationEssentials

/// `aloft executions`: list, show (both also as JSON, from the views `aloft serve` answers with) and abort.
struct ExecutionCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executions", abstract: "List, inspect and abort executions.",
        subcommands: [List.self, Show.self, Abort.self])

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "abort",
            abstract: "Ask the aloft process running an execution to abort it.")
        @Argument(help: "The execution id.") var execution: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let (store, _) = try storeOptions.open()
            guard let e = try store.execution(id: execution) else { throw CLIError("no execution \(execution)") }
            // A queued execution no worker has claimed ends here; one claimed meanwhile is asked like any other.
            if e.phase == .queued, try store.abortQueued(execution) {
                print("aborted: \(execution) (queued, no worker had started it)")
                return
            }
            guard e.phase == .running || e.phase == .queued else {
                throw CLIError("execution \(execution) is already \(e.phase.rawValue)")
            }
            try store.requestAbort(id: execution)
            print(
                "abort requested: the aloft process running \(execution) aborts its nodes within a second; "
                    + "if none is running it, `aloft resume \(execution)` finishes the abort")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Only this project.") var project: String?
        @Option(help: "Only this domain.") var domain: String?
        @Option(help: "At most this many.") var limit = 20
        @Flag(help: "Print a JSON array of execution summaries (the shape `aloft serve` answers with).")
        var json = false

        func run() async throws {
            let (store, _) = try storeOptions.open()
            let views = try ExecutionView.summaries(
                store.executions(project: project, domain: domain, limit: limit), store: store)
            if json {
                print(JSONWriter.string(.array(views.map(\.json))))
                return
            }
            print(ExecutionText.list(views), terminator: "")
            var stderr = StandardError()
            for v in views { if let damage = v.damage { print("warning: \(damage)", to: &stderr) } }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show")
        @Argument(help: "The execution id.") var execution: String
        @OptionGroup var storeOptions: StoreOptions
        @Flag(help: "Print the execution and its nodes as one JSON object (the shape `aloft serve` answers with).")
        var json = false

        func run() async throws {
            let (store, _) = try storeOptions.open()
            guard let e = try store.execution(id: execution) else { throw CLIError("no execution \(execution)") }
            let view = try ExecutionView(e, store: store, nodes: true)
            if json {
                print(JSONWriter.string(view.json))
                return
            }
            print(ExecutionText.show(view), terminator: "")
        }
    }
}
