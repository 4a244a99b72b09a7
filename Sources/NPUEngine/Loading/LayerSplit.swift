/// How a package's layers are spread over several cards when no single card has the CMM for it,
/// as ax-llm's AXCL runner spreads them over `--devices 0,1` (axera.md §3.1, §3.3): contiguous
/// layer ranges in card order, the post model with the last layer. As few cards as will hold the
/// model are used, and the layers are shared in proportion to each card's free CMM, so every card
/// keeps the same fraction in reserve for what the estimate misses.
public enum LayerSplit {
    /// A layer engine's CMM from its file size: its KV cache and IO buffers add about 30 % over
    /// the weights (axllm's mem-guard, axera.md §3.2).
    public static func estimatedKiB(fileBytes: Int) -> Int { (fileBytes + fileBytes * 3 / 10) / 1024 }

    /// - Parameter layerKiB: estimated CMM of each layer, in order.
    /// - Parameter postKiB: estimated CMM of the post model.
    /// - Parameter budgetsKiB: CMM each candidate card can give, in card order (free minus the floor).
    /// - Returns: for each card used (by index into `budgetsKiB`), its layers; nil when the
    ///   candidates together cannot hold the model, or it would need only one card.
    public static func plan(layerKiB: [Int], postKiB: Int, budgetsKiB: [Int]) -> [(card: Int, layers: Range<Int>)]? {
        let total = layerKiB.reduce(postKiB, +)
        let usable = budgetsKiB.enumerated().filter { $0.element > 0 }
        guard layerKiB.count >= 2, usable.count >= 2 else { return nil }
        for count in 2 ... usable.count where count <= layerKiB.count {
            let chosen = Array(usable.prefix(count))
            let capacity = chosen.reduce(0) { $0 + $1.element }
            guard capacity >= total else { continue }
            if let ranges = proportional(layerKiB: layerKiB, postKiB: postKiB, budgets: chosen.map(\.element)) {
                return zip(chosen, ranges).map { (card: $0.offset, layers: $1) }
            }
        }
        return nil
    }

    /// Card j takes layers until the running total reaches its share of the model (`total ×
    /// budget_j / Σ budgets`); the last card takes the rest and the post model. Nil when a card
    /// would end up empty or over its budget.
    private static func proportional(layerKiB: [Int], postKiB: Int, budgets: [Int]) -> [Range<Int>]? {
        let total = layerKiB.reduce(postKiB, +), capacity = budgets.reduce(0, +)
        var ranges: [Range<Int>] = []
        var start = 0, cumulative = 0, target = 0
        for (j, budget) in budgets.enumerated() {
            let isLast = j == budgets.count - 1
            target += Int((Double(total) * Double(budget) / Double(capacity)).rounded())
            var end = start
            if isLast {
                end = layerKiB.count
            } else {
                // Leave at least one layer for each card after this one.
                let limit = layerKiB.count - (budgets.count - 1 - j)
                while end < limit, end == start || cumulative + layerKiB[end] <= target {
                    cumulative += layerKiB[end]
                    end += 1
                }
            }
            guard end > start else { return nil }
            let cost = layerKiB[start ..< end].reduce(isLast ? postKiB : 0, +)
            guard cost <= budget else { return nil }
            ranges.append(start ..< end)
            start = end
        }
        return ranges
    }
}
