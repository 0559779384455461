extension Duration {
    /// The duration in seconds, as a Double (for figures and rates).
    public var seconds: Double {
        let (whole, atto) = components
        return Double(whole) + Double(atto) * 1e-18
    }
}
