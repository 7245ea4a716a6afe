import AloftSystem
import AloftWire
import FoundationEssentials

/// Loads a plugin file in a child process before the host loads it: dlopen and the library's constructors,
/// the entry function, the descriptor checks, init and shutdown, each under the init budget. A file that
/// kills, hangs or exits that child is refused with what it did; the host never maps it.
///
/// The child is `aloft-plugin-runner probe FILE` (see `ProbeChild`); verdicts are cached by the file's
/// identity (`VerdictCache`) so that only new or changed files cost a process.
public struct PluginProbe: Sendable {
    /// The runner executable.
    public let runner: String
    public let cache: VerdictCache?

    public init(runner: String, cache: VerdictCache?) {
        self.runner = runner
        self.cache = cache
    }

    /// The runner beside the running executable (or `ALOFT_PLUGIN_RUNNER`), and the cache in
    /// `$XDG_CACHE_HOME/aloft` or `~/.cache/aloft` (none without either).
    public static func standard(environment: [String: String]) -> PluginProbe {
        let runner =
            environment["ALOFT_PLUGIN_RUNNER"]
            ?? PathString.appending(PluginSearchPath.executableDirectory() ?? ".", runnerName)
        return PluginProbe(runner: runner, cache: VerdictCache.standard(environment: environment))
    }

    public static let runnerName = "aloft-plugin-runner"

    /// Whether the file may be loaded into the host (`failure` nil), or what it did in the probe.
    public func check(path: String, request: ProbeRequest) async -> ProbeVerdict {
        let key = cache.flatMap { _ in VerdictCache.Key(path: path, request: request) }
        if let key, let known = cache?.verdict(for: key) { return known }
        let verdict = await probe(path: path, request: request)
        // A probe that could not run says nothing about the file: ask again next time.
        if let key, let cache, !verdict.isUnprobed { cache.record(verdict, for: key) }
        return verdict
    }

    func probe(path: String, request: ProbeRequest) async -> ProbeVerdict {
        let failure = await failure(path: path, request: request)
        return ProbeVerdict(failure: failure.0, descriptor: failure.1)
    }

    private func failure(path: String, request: ProbeRequest) async -> (ProbeFailure?, PluginDescriptor?) {
        guard FileManager.default.isExecutableFile(atPath: runner) else {
            return (
                .unprobed("the probe runner \(runner) is missing (build or install \(Self.runnerName) beside aloft)"),
                nil
            )
        }
        var environment = ProcessInfo.processInfo.environment
        // A crash in the child is expected here: no backtrace (it takes seconds and is of no use).
        environment["SWIFT_BACKTRACE"] = "enable=no"
        // Each step has the init budget and the child reports its own overruns; this cap is for a child
        // that cannot (its watchdog thread never ran, or it stopped itself).
        let cap = request.initBudget * 3 + .seconds(5)
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await ChildProcess.run(
                executable: runner, arguments: ["probe", path], environment: environment,
                input: JSONWriter.encode(request.json), timeout: cap)
        } catch {
            return (.unprobed(error.description), nil)
        }
        let report = ProbeReport(outcome.output)
        if report.done { return (nil, report.descriptor) }
        if let overran = report.overran {
            return (.timedOut(seconds: overran.seconds, stage: overran.stage), report.descriptor)
        }
        if outcome.timedOut {
            return (.timedOut(seconds: cap.secondsValue, stage: report.lastStage), report.descriptor)
        }
        switch outcome.end {
        case .signalled(let signal): return (.crashed(signal: signal, stage: report.lastStage), report.descriptor)
        case .exited(let status): return (.exited(status: status, stage: report.lastStage), report.descriptor)
        }
    }
}

/// The lines a probe child wrote before it ended.
struct ProbeReport {
    var lastStage = ProbeStage.dlopen
    var done = false
    var overran: (stage: ProbeStage, seconds: Double)?
    /// What the file says it is, when the child got that far.
    var descriptor: PluginDescriptor?

    init(_ output: [UInt8]) {
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            let words = line.split(separator: " ")
            switch words.first {
            case "stage": if words.count == 2, let s = ProbeStage(rawValue: String(words[1])) { lastStage = s }
            case "done": done = true
            case "descriptor":
                let text = line.dropFirst("descriptor ".count)
                descriptor = (try? JSONParser.parse(String(text))).flatMap(PluginDescriptor.init(json:))
            case "overran":
                if words.count == 3, let s = ProbeStage(rawValue: String(words[1])), let seconds = Double(words[2]) {
                    overran = (s, seconds)
                }
            default: break
            }
        }
    }
}
