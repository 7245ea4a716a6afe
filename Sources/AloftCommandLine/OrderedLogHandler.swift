import AloftSystem
import Logging

/// swift-log's standard-error handler, after the standard output this process still holds (see
/// `StandardStreams.writeOutputSoon`): a warning logged during a run comes after the progress lines before it.
struct OrderedLogHandler: LogHandler {
    private var inner: StreamLogHandler

    init(label: String) { inner = StreamLogHandler.standardError(label: label) }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        StandardStreams.flushOutput()
        inner.log(event: event)
    }
}
