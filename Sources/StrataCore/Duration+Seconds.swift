extension Duration {
    /// The duration in seconds, as a Double (for figures and rates).
    public var seconds: Double {
        let (whole, atto) = components
        return Double(whole) + Double(atto) * 1e-18
    }

    /// The duration in whole milliseconds, rounded toward zero (for settings and status fields
    /// kept in milliseconds).
    public var milliseconds: Int64 {
        let (whole, atto) = components
        return whole * 1000 + atto / 1_000_000_000_000_000
    }
}
