extension Grammar {
    /// `body` after the model's thinking, which stays free: Ollama lets a thinking model think
    /// unconstrained and constrains only the content after it (ollama-api.md §3.6, "structured
    /// outputs via double request"). Here one grammar does both, so no second request is needed.
    ///
    /// - When the prompt already opened the thinking (a template ending in `<think>`), everything
    ///   up to the first `close` is free, then `body` follows.
    /// - Otherwise the answer may open with `open` and think freely up to `close`, or be `body`
    ///   from its first token: the opening marker is one more alternative at the start, so a
    ///   model that does not think is held to `body` at once.
    ///
    /// Whitespace between the markers and `body` is allowed (the thinking splitter drops it).
    /// The thought is as long as the model likes, but it too is bounded by `num_predict` and the
    /// context: the matcher's budget makes it close in time for `body` to complete.
    public static func afterThinking(_ body: Grammar, open: String, close: String, openedByPrompt: Bool) -> Grammar {
        let builder = GrammarBuilder()
        let value = builder.rule(embedding: body)
        let thought = GrammarExpression.sequence([.textThrough(marker: Array(close.utf8)), JSONGrammar.whitespace])
        let start: GrammarExpression = openedByPrompt
            ? .sequence([thought, .rule(value)])
            : .sequence([JSONGrammar.whitespace, .optional(.sequence([.literal(open), thought])), .rule(value)])
        return builder.build(start: start, name: body.name)
    }
}
