/// Walks the syntax tree and produces the output text, counting every step against the limits.
final class Interpreter {
    let limits: RenderLimits
    let clock: TemplateClock
    private var steps = 0
    private var loopIterations = 0
    private var callDepth = 0
    /// The node being evaluated, so that errors raised deep inside carry a template position.
    var location = TemplateLocation(line: 1, column: 1)

    init(limits: RenderLimits, clock: TemplateClock) {
        self.limits = limits
        self.clock = clock
    }

    enum Flow { case normal, breakLoop, continueLoop }

    func render(_ program: [Statement], context: OrderedDictionary<String, Value>) throws(TemplateError) -> String {
        let globals = Scope(parent: nil)
        installGlobals(in: globals)
        let root = Scope(parent: globals)
        for (key, value) in context.pairs { root.set(key, value) }
        var out = ""
        do {
            _ = try execute(program, in: root, into: &out)
        } catch let error as TemplateError {
            throw error
        } catch let error as EvaluationError {
            switch error {
            case .runtime(let m): throw .runtime(m, location)
            case .raised(let m): throw .raised(m, location)
            case .limit(let m): throw .limitExceeded(m, location)
            }
        } catch {
            throw .runtime("\(error)", location)
        }
        return out
    }

    // MARK: limits

    @inline(__always) func step(_ at: TemplateLocation) throws(EvaluationError) {
        location = at
        steps += 1
        if steps > limits.maxSteps { throw .limit("the template took more than \(limits.maxSteps) evaluation steps") }
    }

    func checkSize(_ length: Int, what: String = "output") throws(EvaluationError) {
        if length > limits.maxOutputLength {
            throw .limit("\(what) grew beyond \(limits.maxOutputLength) characters")
        }
    }

    private func append(_ text: String, to out: inout String) throws(EvaluationError) {
        out += text
        try checkSize(out.utf8.count)
    }

    // MARK: statements

    func execute(_ statements: [Statement], in scope: Scope, into out: inout String) throws -> Flow {
        for statement in statements {
            try step(statement.location)
            switch statement.kind {
            case .text(let t):
                try append(t, to: &out)
            case .output(let e):
                let v = try evaluate(e, in: scope)
                try append(v.pythonString, to: &out)
            case .conditional(let branches):
                for (condition, body) in branches {
                    if let condition, !(try evaluate(condition, in: scope).isTruthy) { continue }
                    let flow = try execute(body, in: scope, into: &out)
                    if flow != .normal { return flow }
                    break
                }
            case .loop(let target, let iterable, let condition, let body, let otherwise):
                try executeLoop(target: target, iterable: iterable, condition: condition, body: body, otherwise: otherwise, in: scope, into: &out)
            case .assign(let target, let e):
                try assign(try evaluate(e, in: scope), to: target, in: scope)
            case .assignBlock(let target, let filters, let body):
                var captured = ""
                _ = try execute(body, in: scope, into: &captured)
                var value = Value.string(captured)
                for f in filters { value = try applyFilter(f.name, to: value, arguments: try evaluateArguments(f.arguments, in: scope), at: f.location) }
                try assign(value, to: target, in: scope)
            case .macro(let definition):
                scope.set(definition.name, makeMacro(definition, closure: scope))
            case .callBlock(let call, let callerParameters, let body):
                guard case .call(let callee, let arguments) = call.kind else { break }
                let caller = makeMacro(MacroDefinition(name: "caller", parameters: callerParameters, body: body), closure: scope)
                let function = try evaluate(callee, in: scope)
                var args = try evaluateArguments(arguments, in: scope)
                args.keyword.append(("caller", caller))
                location = call.location
                try append(try invoke(function, args).pythonString, to: &out)
            case .filterBlock(let filters, let body):
                var captured = ""
                _ = try execute(body, in: scope, into: &captured)
                var value = Value.string(captured)
                for f in filters { value = try applyFilter(f.name, to: value, arguments: try evaluateArguments(f.arguments, in: scope), at: f.location) }
                try append(value.pythonString, to: &out)
            case .scope(let assignments, let body):
                let inner = Scope(parent: scope)
                for (name, e) in assignments { inner.set(name, try evaluate(e, in: scope)) }
                let flow = try execute(body, in: inner, into: &out)
                if flow != .normal { return flow }
            case .passThrough(let body):
                let flow = try execute(body, in: scope, into: &out)
                if flow != .normal { return flow }
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
        }
        return .normal
    }

    private func assign(_ value: Value, to target: AssignmentTarget, in scope: Scope) throws(EvaluationError) {
        switch target {
        case .name(let n): scope.set(n, value)
        case .names(let names):
            let items = try iterate(value)
            guard items.count == names.count else {
                throw .runtime("cannot unpack \(items.count) values into \(names.count) names")
            }
            for (n, v) in zip(names, items) { scope.set(n, v) }
        case .attribute(let object, let attribute):
            guard case .namespace(let ns) = scope.lookup(object) ?? .undefined("") else {
                throw .runtime("cannot assign attribute on non-namespace object '\(object)'")
            }
            ns.attributes[attribute] = value
        }
    }

    private func executeLoop(target: AssignmentTarget, iterable: Expression, condition: Expression?, body: [Statement], otherwise: [Statement], in scope: Scope, into out: inout String) throws {
        let source = try evaluate(iterable, in: scope)
        var items = try iterate(source)
        let inner = Scope(parent: scope)
        if let condition {
            var kept: [Value] = []
            for item in items {
                try countIteration()
                try assign(item, to: target, in: inner)
                if try evaluate(condition, in: inner).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try execute(otherwise, in: scope, into: &out)
            return
        }
        let length = items.count
        for (i, item) in items.enumerated() {
            try countIteration()
            try assign(item, to: target, in: inner)
            var loop = OrderedDictionary<String, Value>()
            loop["index"] = .int(i + 1)
            loop["index0"] = .int(i)
            loop["revindex"] = .int(length - i)
            loop["revindex0"] = .int(length - i - 1)
            loop["first"] = .bool(i == 0)
            loop["last"] = .bool(i == length - 1)
            loop["length"] = .int(length)
            loop["depth"] = .int(1)
            loop["depth0"] = .int(0)
            loop["previtem"] = i > 0 ? items[i - 1] : .undefined("there is no previous item")
            loop["nextitem"] = i + 1 < length ? items[i + 1] : .undefined("there is no next item")
            loop["cycle"] = .function(Function("cycle") { (args: Arguments) throws in
                guard !args.positional.isEmpty else { throw EvaluationError.runtime("no items for cycling given") }
                return args.positional[i % args.positional.count]
            })
            inner.set("loop", .dict(loop))
            let flow = try execute(body, in: inner, into: &out)
            if flow == .breakLoop { break }
        }
    }

    private func countIteration() throws(EvaluationError) {
        loopIterations += 1
        if loopIterations > limits.maxLoopIterations {
            throw .limit("loops ran more than \(limits.maxLoopIterations) iterations")
        }
    }

    /// The items a `for` loop visits: Python iteration, with Undefined iterating as empty.
    func iterate(_ value: Value) throws(EvaluationError) -> [Value] {
        switch value.unmarked {
        case .undefined: return []
        case .list(let items), .iterator(let items): return items
        case .dict(let d): return d.keys.map(DictionaryKey.decode)
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .namespace(let ns): return ns.attributes.keys.map { .string($0) }
        default: throw .runtime("'\(value.typeName)' object is not iterable")
        }
    }

    // MARK: macros

    private func makeMacro(_ definition: MacroDefinition, closure: Scope) -> Value {
        .function(Function(definition.name) { [unowned self] (args: Arguments) throws in
            try self.callMacro(definition, closure: closure, args)
        })
    }

    private func callMacro(_ definition: MacroDefinition, closure: Scope, _ args: Arguments) throws -> Value {
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > limits.maxCallDepth {
            throw EvaluationError.limit("macro calls nested deeper than \(limits.maxCallDepth) levels")
        }
        let scope = Scope(parent: closure)
        let names = definition.parameters.map(\.0)
        var extraPositional: [Value] = []
        for (i, v) in args.positional.enumerated() {
            if i < names.count { scope.set(names[i], v) } else { extraPositional.append(v) }
        }
        var extraKeywords = OrderedDictionary<String, Value>()
        for (name, value) in args.keyword {
            if names.contains(name) || name == "caller" { scope.set(name, value) } else { extraKeywords[name] = value }
        }
        for (name, defaultValue) in definition.parameters where scope.lookupLocal(name) == nil {
            scope.set(name, try defaultValue.map { try evaluate($0, in: scope) } ?? .undefined("'\(name)' is undefined"))
        }
        scope.set("varargs", .list(extraPositional))
        scope.set("kwargs", .dict(extraKeywords))
        var out = ""
        _ = try execute(definition.body, in: scope, into: &out)
        return .string(out)
    }

    func invoke(_ callee: Value, _ args: Arguments) throws -> Value {
        switch callee {
        case .function(let f): return try f.invoke(args)
        case .undefined(let what): throw EvaluationError.runtime(what.isEmpty ? "called an undefined value" : what)
        default: throw EvaluationError.runtime("'\(callee.typeName)' object is not callable")
        }
    }
}
