/// jinja2's tests, the right-hand side of `value is name`.
extension Interpreter {
    func applyTest(_ name: String, to value: Value, arguments args: Arguments) throws(EvaluationError) -> Bool {
        let value = value.unmarked
        func other() throws(EvaluationError) -> Value {
            guard let v = args.positional.first ?? args.keyword.first?.1 else { throw .runtime("test '\(name)' needs an argument") }
            return v
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": return value.isNone
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "number": return value.asDouble != nil
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "callable": if case .function = value { return true } else { return false }
        case "iterable":
            switch value {
            case .undefined, .string, .list, .dict, .iterator: return true
            default: return false
            }
        case "sequence":
            switch value {
            case .string, .list, .dict: return true
            default: return false
            }
        case "odd", "even":
            guard let i = value.asInt else { throw .runtime("test '\(name)' needs an integer") }
            return (i % 2 != 0) == (name == "odd")
        case "divisibleby":
            guard let i = value.asInt, let n = try other().asInt, n != 0 else { throw .runtime("divisibleby needs integers") }
            return i % n == 0
        case "lower": if case .string(let s) = value { return s == s.lowercased() } else { return false }
        case "upper": if case .string(let s) = value { return s == s.uppercased() } else { return false }
        case "eq", "equalto", "==": return value == (try other())
        case "ne", "!=": return value != (try other())
        case "lt", "lessthan", "<": return try ordering(value, try other()) < 0
        case "le", "<=": return try ordering(value, try other()) <= 0
        case "gt", "greaterthan", ">": return try ordering(value, try other()) > 0
        case "ge", ">=": return try ordering(value, try other()) >= 0
        case "in": return try contains(try other(), value)
        case "sameas":
            let o = try other()
            switch (value, o) {
            case (.none, .none), (.undefined, .undefined): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "escaped": return false
        default: throw .runtime("no test named '\(name)'")
        }
    }
}
