import AloftTestSupport
import AloftWire
import Foundation

@testable import PluginHost

/// What the suites on a directory of installed plugins share (NeededPluginsTests, DeferredPluginTests): a host
/// started on that directory alone, its descriptor cache inside it, and each file's status by name.
protocol InstalledPluginTesting {}

extension InstalledPluginTesting {
    /// Installed plugins are not probed: their descriptors come from the cache or from dlopen.
    func start(
        _ dir: String, taskTypes: Set<String>?, deferring: Set<String> = [],
        configure: (inout HostConfiguration) -> Void = { _ in }
    ) async -> PluginHost {
        var configuration = HostConfiguration()
        configuration.searchBuiltin = false
        configure(&configuration)
        return await PluginHost.start(
            configuration: configuration, logger: Fixtures.quietLogger,
            environment: ["XDG_CACHE_HOME": dir + "/cache"],
            directories: [PluginDirectory(path: dir, origin: .installed)], taskTypes: taskTypes,
            deferring: deferring)
    }

    func record(_ host: PluginHost, _ name: String) -> PluginRecord {
        host.catalog.records.first { ($0.path as NSString).lastPathComponent == name }!
    }

    func status(_ record: PluginRecord) -> String {
        switch record.status {
        case .loaded: return "loaded"
        case .disabled: return "disabled"
        case .notNeeded: return "not-needed"
        case .deferred: return "deferred"
        case .refused(let r): return "refused: \(r)"
        }
    }

    /// c-echo's init fails with this configuration: a c-echo that is not refused was never initialized.
    func failingEchoInit(_ c: inout HostConfiguration) {
        c.pluginConfig["example.c-echo"] = .object(["fail_init": .string("init ran")])
    }
}
