extension Duration {
    /// The duration in (fractional) seconds, for messages and JSON.
    public var secondsValue: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
