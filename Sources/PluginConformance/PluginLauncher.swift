import AloftWire
import Foundation
import PluginHost
import Synchronization

/// The one place that decides where the checked plugin's code runs and how a fresh instance of it is made.
///
/// Today: in this process, through `PluginCatalog.load`, each instance from its own copy of the file (a new
/// inode, so the dynamic loader maps it afresh and no global of an earlier instance survives: what a plugin
/// restarted in a new process would see). The file itself was first loaded in a probe process
/// (`LoadChecks`), so a file that crashes or hangs while loading never reaches this process.
final class PluginLauncher: Sendable {
    let path: String
    let options: ConformanceOptions
    let services: HostServices
    /// Where the copies go (removed with the run's work directory).
    let directory: String
    private let launched = Atomic<Int>(0)

    init(path: String, options: ConformanceOptions, services: HostServices, directory: String) {
        self.path = path
        self.options = options
        self.services = services
        self.directory = directory
    }

    /// Whether the plugin's calls run outside this process.
    var isIsolated: Bool { false }

    /// The configuration every instance is loaded with: the check's budgets, and no quarantine (each check
    /// should see the plugin's own behaviour, not the host's reaction to an earlier check).
    var configuration: HostConfiguration {
        var configuration = HostConfiguration()
        configuration.searchBuiltin = false
        configuration.callOptions = PluginCallOptions(
            callBudget: options.callBudget, initBudget: options.initBudget, threads: options.threads, quarantineAfter: 1_000_000)
        return configuration
    }

    /// A freshly loaded and initialized instance of the plugin, or why there is none.
    func launch() async -> Result<any TaskPlugin, CheckFailure> {
        let n = launched.add(1, ordering: .relaxed).newValue
        let copy = "\(directory)/instance-\(n)/\((path as NSString).lastPathComponent)"
        do {
            try FileManager.default.createDirectory(atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: path, toPath: copy)
        } catch {
            return .failure(CheckFailure(rule: .loads, detail: "could not copy \(path) to \(copy) for a fresh instance: \(error.localizedDescription)"))
        }
        let catalog = await PluginCatalog.load(configuration: configuration, services: services, files: [(copy, .config)],
                                               fallbackConfig: options.pluginConfig)
        guard let record = catalog.records.first else {
            return .failure(CheckFailure(rule: .loads, detail: "\(path) was not loaded"))
        }
        switch record.status {
        case .loaded(let plugin): return .success(plugin)
        case .disabled: return .failure(CheckFailure(rule: .loads, detail: "\(path) was not initialized"))
        case .refused(let refusal):
            return .failure(CheckFailure(rule: LoadChecks.rule(for: refusal), detail: "a fresh instance was refused: \(refusal)"))
        }
    }

    /// Lets an instance go. One with a call still inside the plugin (past its budget) is not shut down:
    /// shutdown must come after every call returned.
    func release(_ plugin: any TaskPlugin) {
        if plugin.overrunCount == 0 { plugin.shutdown() }
    }
}
