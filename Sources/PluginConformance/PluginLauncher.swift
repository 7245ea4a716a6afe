import AloftWire
import FoundationEssentials
import PluginHost

/// The one place that decides where the checked plugin's code runs and how a fresh instance of it is made.
///
/// Each instance runs in plugin runner processes of its own (`isolation: process`, `IsolatedPlugin`): a
/// plugin that crashes, exits or hangs in a call takes down its runner, never `aloft plugins check`, and a
/// fresh instance is a fresh process, as after a host restart. The file is probed first (loaded in a child
/// process) as the host does; the verdict is kept in the run's own cache, so only the first load probes.
final class PluginLauncher: Sendable {
    let path: String
    let options: ConformanceOptions
    let services: HostServices
    let probe: PluginProbe

    init(path: String, options: ConformanceOptions, services: HostServices, runner: String, directory: String) {
        self.path = path
        self.options = options
        self.services = services
        probe = PluginProbe(runner: runner, cache: VerdictCache(file: directory + "/plugin-verdicts.json"))
    }

    /// Whether the plugin's calls run outside this process.
    var isIsolated: Bool { true }

    /// The configuration every instance is loaded with: the check's budgets, runner processes for every
    /// plugin, and no quarantine (each check should see the plugin's own behaviour, not the host's reaction
    /// to an earlier check).
    var configuration: HostConfiguration {
        var configuration = HostConfiguration()
        configuration.searchBuiltin = false
        configuration.callOptions = PluginCallOptions(
            callBudget: options.callBudget, initBudget: options.initBudget, threads: options.threads,
            quarantineAfter: 1_000_000)
        configuration.isolation["*"] = IsolationSettings(mode: .process)
        return configuration
    }

    /// A freshly started and initialized instance of the plugin, or why there is none.
    func launch() async -> Result<any TaskPlugin, CheckFailure> {
        let catalog = await PluginCatalog.load(
            configuration: configuration, services: services, files: [(path, .config)],
            fallbackConfig: options.pluginConfig, probe: probe)
        guard let record = catalog.records.first else {
            return .failure(CheckFailure(rule: .loads, detail: "\(path) was not loaded"))
        }
        switch record.status {
        case .loaded(let plugin): return .success(plugin)
        case .disabled, .notNeeded, .deferred:
            return .failure(CheckFailure(rule: .loads, detail: "\(path) was not initialized"))
        case .refused(let refusal):
            return .failure(
                CheckFailure(rule: LoadChecks.rule(for: refusal), detail: "a fresh instance was refused: \(refusal)"))
        }
    }

    /// Lets an instance go: its runners end.
    func release(_ plugin: any TaskPlugin) { plugin.shutdown() }

    /// The processes the instance's code runs in now (empty when it runs in this one).
    func processes(of plugin: any TaskPlugin) -> [Int32] { (plugin as? IsolatedPlugin)?.runnerPIDs ?? [] }
}
