/// Expression evaluation.
extension Interpreter {
    func evaluate(_ e: Expression, in scope: Scope) throws -> Value {
        try step(e.location)
        switch e.kind {
        case .literal(let v):
            return v
        case .name(let n):
            return scope.lookup(n) ?? .undefined("'\(n)' is undefined")
        case .list(let items):
            return .list(try items.map { try evaluate($0, in: scope) })
        case .dict(let pairs):
            var dict = OrderedDictionary<String, Value>()
            for (k, v) in pairs {
                let key = try evaluate(k, in: scope)
                guard let ks = DictionaryKey.encode(key) else {
                    location = k.location
                    throw EvaluationError.runtime("unhashable type: '\(key.typeName)'")
                }
                dict[ks] = try evaluate(v, in: scope)
            }
            return .dict(dict)
        case .attribute(let base, let name):
            let object = try evaluate(base, in: scope)
            location = e.location
            return try attribute(of: object, name)
        case .index(let base, let key):
            let object = try evaluate(base, in: scope)
            let k = try evaluate(key, in: scope)
            location = e.location
            return try item(of: object, k)
        case .slice(let base, let start, let stop, let stride):
            let object = try evaluate(base, in: scope)
            let a = try start.map { try evaluate($0, in: scope) }
            let b = try stop.map { try evaluate($0, in: scope) }
            let c = try stride.map { try evaluate($0, in: scope) }
            location = e.location
            return try slice(object, a, b, c)
        case .call(let callee, let arguments):
            let function = try evaluate(callee, in: scope)
            let args = try evaluateArguments(arguments, in: scope)
            location = e.location
            return try invoke(function, args)
        case .filter(let base, let name, let arguments):
            let value = try evaluate(base, in: scope)
            let args = try evaluateArguments(arguments, in: scope)
            return try applyFilter(name, to: value, arguments: args, at: e.location)
        case .test(let base, let name, let arguments, let negated):
            let value = try evaluate(base, in: scope)
            let args = try evaluateArguments(arguments, in: scope)
            location = e.location
            let result = try applyTest(name, to: value, arguments: args)
            return .bool(result != negated)
        case .negate(let operand):
            let v = try evaluate(operand, in: scope)
            location = e.location
            switch v {
            case .int(let i): return .int(-i)
            case .double(let d): return .double(-d)
            case .bool(let b): return .int(b ? -1 : 0)
            case .undefined(let what): throw EvaluationError.runtime(what)
            default: throw EvaluationError.runtime("bad operand type for unary -: '\(v.typeName)'")
            }
        case .plus(let operand):
            let v = try evaluate(operand, in: scope)
            guard v.asDouble != nil else { throw EvaluationError.runtime("bad operand type for unary +: '\(v.typeName)'") }
            return v
        case .not(let operand):
            return .bool(!(try evaluate(operand, in: scope).isTruthy))
        case .and(let l, let r):
            let left = try evaluate(l, in: scope)
            return left.isTruthy ? try evaluate(r, in: scope) : left
        case .or(let l, let r):
            let left = try evaluate(l, in: scope)
            return left.isTruthy ? left : try evaluate(r, in: scope)
        case .binary(let op, let l, let r):
            let left = try evaluate(l, in: scope)
            let right = try evaluate(r, in: scope)
            location = e.location
            return try binary(op, left, right)
        case .compare(let first, let operations):
            var left = try evaluate(first, in: scope)
            for (op, r) in operations {
                let right = try evaluate(r, in: scope)
                location = e.location
                if !(try compare(op, left, right)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let then, let condition, let otherwise):
            if try evaluate(condition, in: scope).isTruthy { return try evaluate(then, in: scope) }
            guard let otherwise else { return .undefined("the inline if-expression evaluated to false and no else section was defined") }
            return try evaluate(otherwise, in: scope)
        }
    }

    func evaluateArguments(_ arguments: [CallArgument], in scope: Scope) throws -> Arguments {
        var args = Arguments()
        for a in arguments {
            switch a {
            case .positional(let e): args.positional.append(try evaluate(e, in: scope))
            case .keyword(let n, let e): args.keyword.append((n, try evaluate(e, in: scope)))
            }
        }
        return args
    }
}
