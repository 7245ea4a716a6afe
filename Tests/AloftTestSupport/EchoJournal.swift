import AloftWire
import Foundation
public import Logging
public import PluginHost

/// The file the C echo journals its calls to (its `journal` setting): "submit <id>" on entry to every submit,
/// "abort <id> <state>", "finalize <id>".
public struct EchoJournal: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Its lines so far (none before the first call).
    public var lines: [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}

extension Fixtures {
    /// A host with the C echo (task type `echo`) journaling to a new file, and that journal; `configure` and
    /// `logger` as for host(directory:).
    public static func journaledEcho(
        configure: (inout HostConfiguration) -> Void = { _ in }, logger: Logger = quietLogger
    ) async throws -> (host: PluginHost, journal: EchoJournal) {
        let dir = try directory(["c-echo": "libc_echo.so"])
        let journal = EchoJournal(path: dir + "/journal.txt")
        let host = await host(
            directory: dir,
            configure: {
                $0.pluginConfig["example.c-echo"] = .object(["journal": .string(journal.path)])
                configure(&$0)
            }, logger: logger)
        return (host, journal)
    }
}
