import AloftSystem
public import Logging

/// swift-log's standard-error handler, after the standard output this process still holds (see
/// `StandardStreams.writeOutputSoon`): a warning logged during a run comes after the progress lines before it.
public struct OrderedLogHandler: LogHandler {
    private var inner: StreamLogHandler

    public init(label: String) { inner = StreamLogHandler.standardError(label: label) }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        StandardStreams.flushOutput()
        inner.log(event: event)
    }
}
