/// The arguments of a call from a template: positional values, then keyword values in order.
struct Arguments {
    var positional: [Value] = []
    var keyword: [(String, Value)] = []

    init(positional: [Value] = [], keyword: [(String, Value)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// Matches arguments to parameter names as Python does; missing ones are nil.
    func bind(_ names: [String], function: String) throws(EvaluationError) -> [Value?] {
        guard positional.count <= names.count else {
            throw .runtime("\(function)() takes at most \(names.count) arguments (\(positional.count) given)")
        }
        var bound: [Value?] = Array(repeating: nil, count: names.count)
        for (i, v) in positional.enumerated() { bound[i] = v }
        for (name, value) in keyword {
            guard let i = names.firstIndex(of: name) else {
                throw .runtime("\(function)() got an unexpected keyword argument '\(name)'")
            }
            guard bound[i] == nil else { throw .runtime("\(function)() got multiple values for argument '\(name)'") }
            bound[i] = value
        }
        return bound
    }

    func requireNone(function: String) throws(EvaluationError) {
        if !positional.isEmpty || !keyword.isEmpty { throw .runtime("\(function)() takes no arguments") }
    }
}
