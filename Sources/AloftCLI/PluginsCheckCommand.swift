import AloftCommandLine
import AloftCompiler
import AloftSystem
import AloftWire
import ArgumentParser
import FoundationEssentials
import Logging
import PluginConformance
import PluginHost

/// `aloft plugins check FILE`: a conformance run against one plugin file, as its author would run it
/// before shipping (docs/plugin-abi.md, section 15).
struct PluginsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Check one plugin file against the plugin ABI's rules: loading, then task lifecycles on each task type.",
        discussion: """
            First the file: it loads (in a probe process, so a crash or hang is reported), its ABI version, its \
            descriptor, init within its budget. Then, on each task type: a task from submit to a terminal phase, \
            outputs against the interface, submit twice with one task execution id, re-attach from a fresh plugin \
            instance, abort before and after completion, finalize twice, many tasks at once, and every call within \
            --budget-seconds. Tasks use the interface and config of --spec's tasks, or one integer input x and one \
            integer output x. Each failure names the rule it breaks and its section of docs/plugin-abi.md. \
            Exits 1 when a check fails, 0 when all pass.
            """)

    @Argument(help: "The plugin's shared library.") var file: String
    @Option(help: "A workflow spec whose tasks (their interface, config and input defaults) the checks run.") var spec:
        String?
    @Option(help: "Only this task of --spec.") var task: String?
    @Option(help: "JSON object handed to init.") var pluginConfig = "{}"
    @Option(help: "Budget of each submit, poll, abort and finalize call: a call past it never returns.")
    var budgetSeconds: Double = 5
    @Option(help: "Budget of loading the file and of init.") var initBudgetSeconds: Double = 30
    @Option(help: "How long one task may take from submit to a terminal phase.") var taskSeconds: Double = 60
    @Option(help: "Tasks the concurrency check runs at once.") var tasks = 32
    @Option(help: "Threads the plugin's calls run on.") var threads = 8
    @Flag(help: "Machine-readable output.") var json = false
    @Flag(name: .shortAndLong, help: "Log what the plugin and the host say.") var verbose = false

    func validate() throws {
        for (name, value) in [
            ("--budget-seconds", budgetSeconds), ("--init-budget-seconds", initBudgetSeconds),
            ("--task-seconds", taskSeconds),
        ]
        where !(value > 0 && value <= 86_400) {
            throw ValidationError("\(name) must be greater than 0 and at most 86400")
        }
        guard (1...1024).contains(tasks) else { throw ValidationError("--tasks must be from 1 to 1024") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be from 1 to 256") }
        if task != nil && spec == nil { throw ValidationError("--task names a task of --spec; give --spec too") }
    }

    func run() async throws {
        let path = absolute(file)
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(file): no such file") }
        let config: JSON
        do { config = try JSONParser.parse(pluginConfig) } catch {
            throw CLIError("--plugin-config is not valid JSON: \(error)")
        }
        guard config.objectValue != nil else { throw CLIError("--plugin-config must be a JSON object") }
        let options = ConformanceOptions(
            callBudget: .milliseconds(Int64(budgetSeconds * 1000)),
            initBudget: .milliseconds(Int64(initBudgetSeconds * 1000)),
            taskTimeout: .milliseconds(Int64(taskSeconds * 1000)), concurrentTasks: tasks, threads: threads,
            pluginConfig: config)
        let subjects = try spec.map { try Self.subjects(spec: absolute($0), only: task) }
        var logger = HostStartup.logger(verbose: verbose)
        if !verbose { logger.logLevel = .critical }  // the report says what went wrong
        let report: ConformanceReport
        do {
            report = try await ConformanceRun.check(
                path: path, subjects: subjects, options: options, services: HostServices(logger: logger),
                probe: .standard(environment: ProcessInfo.processInfo.environment))
        } catch {
            throw CLIError("\(file): \(error)")
        }
        print(json ? JSONWriter.string(report.json) : report.text, terminator: json ? "\n" : "")
        if !report.passed { throw ExitCode(1) }
    }

    private func absolute(_ path: String) -> String {
        let expanded = PathString.expandingTilde(path)
        return expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
    }

    /// The spec's tasks (or the one named), each with its template and input defaults. Errors in the spec
    /// are printed as `aloft compile` prints them.
    static func subjects(spec: String, only name: String?) throws -> [ConformanceSubject] {
        let result = Compiler().compile(files: [spec])
        guard let compiled = result.spec else {
            var stderr = StandardError()
            for d in result.diagnostics { print(d, to: &stderr) }
            throw CLIError(
                "\(spec): \(result.diagnostics.count) error\(result.diagnostics.count == 1 ? "" : "s") in the spec")
        }
        var tasks = compiled.tasks.sorted { $0.key < $1.key }.filter {
            !compiled.referencedTaskAliases.contains($0.key)
        }
        if let name {
            guard let task = compiled.tasks[name] else {
                throw CLIError("\(spec): no task \"\(name)\"; its tasks: \(tasks.map(\.key).joined(separator: ", "))")
            }
            tasks = [(name, task)]
        }
        guard !tasks.isEmpty else { throw CLIError("\(spec) defines no task") }
        return tasks.map { name, task in
            ConformanceSubject(
                template: task.template, givenInputs: task.defaults,
                origin: "task \(name) of \(PathString.lastComponent(spec))")
        }
    }
}
