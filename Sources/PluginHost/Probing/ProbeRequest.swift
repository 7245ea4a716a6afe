public import AloftWire

/// What the host tells a probe child on its standard input: how long each step may take, and what init
/// gets (the child learns the plugin's id only from its descriptor). Also the verdict cache's key input:
/// a file is probed again when what init would get changes.
public struct ProbeRequest: Sendable, Equatable {
    public var initBudget: Duration
    public var pluginConfig: [String: JSON]
    public var fallbackConfig: JSON
    /// nil: every plugin is enabled; otherwise only these ids are initialized.
    public var enabled: [String]?

    public init(initBudget: Duration, pluginConfig: [String: JSON], fallbackConfig: JSON, enabled: [String]?) {
        self.initBudget = initBudget
        self.pluginConfig = pluginConfig
        self.fallbackConfig = fallbackConfig
        self.enabled = enabled
    }

    public var json: JSON {
        var o: [String: JSON] = [
            "init_budget_ms": .integer(Int64(initBudget.secondsValue * 1000)),
            "config": .object(pluginConfig),
            "fallback": fallbackConfig,
        ]
        if let enabled { o["enabled"] = .array(enabled.map(JSON.string)) }
        return .object(o)
    }

    public init?(json: JSON) {
        guard let ms = json["init_budget_ms"]?.integerValue, let config = json["config"]?.objectValue else {
            return nil
        }
        initBudget = .milliseconds(ms)
        pluginConfig = config
        fallbackConfig = json["fallback"] ?? .object([:])
        enabled = json["enabled"]?.arrayValue?.compactMap(\.stringValue)
    }

    func config(for id: String) -> JSON? {
        if let enabled, !enabled.contains(id) { return nil }
        return pluginConfig[id] ?? fallbackConfig
    }
}
