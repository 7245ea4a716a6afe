import Foundation
import Logging

/// Keeps every log message, so tests can check what the host said and in which order.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ s: String) { lock.withLock { lines.append(s) } }
    var messages: [String] { lock.withLock { lines } }

    var logger: Logger {
        var l = Logger(label: "aloft-test") { _ in CapturingLogHandler(capture: self) }
        l.logLevel = .trace
        return l
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let meta = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        capture.append("\(event.level) \(meta.isEmpty ? "" : meta + " ")\(event.message)")
    }
}
