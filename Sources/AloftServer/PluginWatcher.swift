public import PluginHost

/// The live plugin directory: looks at the host's plugin directories every `interval` (`PluginHost.rescan`),
/// so a plugin file dropped in is probed, loaded and routed without a restart. Polling, not inotify: a scan
/// only stats the files, and it sees directories created after the server started.
public struct PluginWatcher: Sendable {
    public let host: PluginHost
    public let interval: Duration

    public init(host: PluginHost, interval: Duration) {
        self.host = host
        self.interval = interval
    }

    /// Scans until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            await host.rescan()
        }
    }
}
