/// The result of context assembly: the rendered text handed to the model and its parts.
public struct AssembledContext: Sendable, Equatable {
    /// Passages joined by the separator, exactly what `tokens` counts.
    public var text: String
    /// Tokens of `text` by the namespace's tokenizer, recounted on the final text; never above `budget`.
    public var tokens: Int
    public var budget: Int
    /// In the requested order.
    public var passages: [ContextPassage]
    /// Candidates skipped because their text was already included (same content, or a range
    /// already covered by a passage of the same document).
    public var duplicatesSkipped: Int
    /// Candidates that did not fit in what was left of the budget.
    public var overBudgetSkipped: Int

    public init(
        text: String, tokens: Int, budget: Int, passages: [ContextPassage], duplicatesSkipped: Int,
        overBudgetSkipped: Int
    ) {
        self.text = text
        self.tokens = tokens
        self.budget = budget
        self.passages = passages
        self.duplicatesSkipped = duplicatesSkipped
        self.overBudgetSkipped = overBudgetSkipped
    }
}
