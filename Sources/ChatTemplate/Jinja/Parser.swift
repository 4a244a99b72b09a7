/// Builds the syntax tree from tokens, following jinja2's grammar and operator precedence.
struct Parser {
    private let tokens: [Token]
    private var index = 0

    static func parse(_ source: String) throws(TemplateError) -> [Statement] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let (body, end) = try parser.parseBody(until: [])
        if let end { throw .syntax("unexpected '\(end.name)' tag", end.location) }
        return body
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    private var current: Token { tokens[index] }
    private mutating func advance() -> Token { defer { index += 1 }; return tokens[index] }

    private func isOp(_ op: String) -> Bool { if case .op(let o) = current.kind { o == op } else { false } }
    private func isName(_ name: String) -> Bool { if case .name(let n) = current.kind { n == name } else { false } }

    private mutating func skipOp(_ op: String) -> Bool {
        if isOp(op) { index += 1; return true }
        return false
    }

    private mutating func skipName(_ name: String) -> Bool {
        if isName(name) { index += 1; return true }
        return false
    }

    private mutating func expectOp(_ op: String) throws(TemplateError) {
        guard skipOp(op) else { throw .syntax("expected '\(op)', got \(describe(current))", current.location) }
    }

    private mutating func expectName() throws(TemplateError) -> String {
        guard case .name(let n) = current.kind else { throw .syntax("expected a name, got \(describe(current))", current.location) }
        index += 1
        return n
    }

    private mutating func expectStatementEnd() throws(TemplateError) {
        guard case .statementEnd = current.kind else { throw .syntax("expected end of statement block, got \(describe(current))", current.location) }
        index += 1
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .text: "template text"
        case .expressionStart: "'{{'"
        case .expressionEnd: "'}}'"
        case .statementStart: "'{%'"
        case .statementEnd: "'%}'"
        case .name(let n): "'\(n)'"
        case .string(let s): "string \(PythonFloat.quote(s))"
        case .integer(let i): "\(i)"
        case .float(let d): "\(d)"
        case .op(let o): "'\(o)'"
        case .end: "end of template"
        }
    }

    // MARK: statements

    /// Parses statements until a block tag named in `endTags`; returns that tag (consumed up to its name).
    private mutating func parseBody(until endTags: Set<String>) throws(TemplateError) -> ([Statement], (name: String, location: TemplateLocation)?) {
        var body: [Statement] = []
        while true {
            let token = current
            switch token.kind {
            case .end:
                if !endTags.isEmpty {
                    throw .syntax("unexpected end of template, expected one of: \(endTags.sorted().joined(separator: ", "))", token.location)
                }
                return (body, nil)
            case .text(let t):
                index += 1
                body.append(Statement(.text(t), token.location))
            case .expressionStart:
                index += 1
                let e = try parseTuple()
                guard case .expressionEnd = current.kind else { throw .syntax("expected '}}', got \(describe(current))", current.location) }
                index += 1
                body.append(Statement(.output(e), token.location))
            case .statementStart:
                index += 1
                guard case .name(let tag) = current.kind else { throw .syntax("expected a tag name, got \(describe(current))", current.location) }
                if endTags.contains(tag) {
                    let location = current.location
                    index += 1
                    return (body, (tag, location))
                }
                body.append(try parseStatement())
            default:
                throw .syntax("unexpected \(describe(token))", token.location)
            }
        }
    }

    private mutating func parseStatement() throws(TemplateError) -> Statement {
        let location = current.location
        let tag = try expectName()
        switch tag {
        case "if": return try parseIf(location)
        case "for": return try parseFor(location)
        case "set": return try parseSet(location)
        case "macro": return try parseMacro(location)
        case "call": return try parseCallBlock(location)
        case "filter":
            let filters = try parseFilterChain()
            try expectStatementEnd()
            let (body, _) = try parseBody(until: ["endfilter"])
            try expectStatementEnd()
            return Statement(.filterBlock(filters, body: body), location)
        case "with":
            var assignments: [(String, Expression)] = []
            while case .name = current.kind {
                let name = try expectName()
                try expectOp("=")
                assignments.append((name, try parseExpression()))
                if !skipOp(",") { break }
            }
            try expectStatementEnd()
            let (body, _) = try parseBody(until: ["endwith"])
            try expectStatementEnd()
            return Statement(.scope(assignments: assignments, body: body), location)
        case "generation":
            // transformers' AssistantTracker tag: renders its body unchanged.
            try expectStatementEnd()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try expectStatementEnd()
            return Statement(.passThrough(body), location)
        case "break":
            try expectStatementEnd()
            return Statement(.breakLoop, location)
        case "continue":
            try expectStatementEnd()
            return Statement(.continueLoop, location)
        default:
            throw .syntax("encountered unknown tag '\(tag)'", location)
        }
    }

    private mutating func parseIf(_ location: TemplateLocation) throws(TemplateError) -> Statement {
        var branches: [(Expression?, [Statement])] = []
        var condition: Expression? = try parseTuple(allowConditional: true)
        while true {
            try expectStatementEnd()
            let (body, end) = try parseBody(until: condition == nil ? ["endif"] : ["elif", "else", "endif"])
            branches.append((condition, body))
            switch end!.name {
            case "elif": condition = try parseTuple(allowConditional: true)
            case "else": condition = nil
            default:
                try expectStatementEnd()
                return Statement(.conditional(branches), location)
            }
        }
    }

    private mutating func parseAssignmentTarget(forLoop: Bool) throws(TemplateError) -> AssignmentTarget {
        let first = try expectName()
        if !forLoop, skipOp(".") {
            return .attribute(first, try expectName())
        }
        if isOp(",") {
            var names = [first]
            while skipOp(",") {
                guard case .name = current.kind else { break }
                names.append(try expectName())
            }
            return .names(names)
        }
        return .name(first)
    }

    private mutating func parseFor(_ location: TemplateLocation) throws(TemplateError) -> Statement {
        let target = try parseAssignmentTarget(forLoop: true)
        guard skipName("in") else { throw .syntax("expected 'in' in for loop, got \(describe(current))", current.location) }
        let iterable = try parseTuple(allowConditional: false)
        var condition: Expression? = nil
        if skipName("if") { condition = try parseExpression() }
        if isName("recursive") { throw .syntax("recursive for loops are not supported", current.location) }
        try expectStatementEnd()
        let (body, end) = try parseBody(until: ["else", "endfor"])
        var otherwise: [Statement] = []
        if end!.name == "else" {
            try expectStatementEnd()
            (otherwise, _) = try parseBody(until: ["endfor"])
        }
        try expectStatementEnd()
        return Statement(.loop(target: target, iterable: iterable, condition: condition, body: body, otherwise: otherwise), location)
    }

    private mutating func parseSet(_ location: TemplateLocation) throws(TemplateError) -> Statement {
        let target = try parseAssignmentTarget(forLoop: false)
        if skipOp("=") {
            let value = try parseTuple()
            try expectStatementEnd()
            return Statement(.assign(target, value), location)
        }
        let filters = isOp("|") ? try parseFilterChain() : []
        try expectStatementEnd()
        let (body, _) = try parseBody(until: ["endset"])
        try expectStatementEnd()
        return Statement(.assignBlock(target, filters: filters, body: body), location)
    }

    private mutating func parseFilterChain() throws(TemplateError) -> [FilterApplication] {
        var filters: [FilterApplication] = []
        repeat {
            let location = current.location
            var name = try expectName()
            while skipOp(".") { name += "." + (try expectName()) }
            let arguments = isOp("(") ? try parseCallArguments() : []
            filters.append(FilterApplication(name: name, arguments: arguments, location: location))
        } while skipOp("|")
        return filters
    }

    private mutating func parseParameters() throws(TemplateError) -> [(String, Expression?)] {
        var parameters: [(String, Expression?)] = []
        try expectOp("(")
        while !isOp(")") {
            if !parameters.isEmpty { try expectOp(",") }
            if isOp(")") { break }
            let name = try expectName()
            parameters.append((name, skipOp("=") ? try parseExpression() : nil))
        }
        try expectOp(")")
        return parameters
    }

    private mutating func parseMacro(_ location: TemplateLocation) throws(TemplateError) -> Statement {
        let name = try expectName()
        let parameters = try parseParameters()
        try expectStatementEnd()
        let (body, _) = try parseBody(until: ["endmacro"])
        try expectStatementEnd()
        return Statement(.macro(MacroDefinition(name: name, parameters: parameters, body: body)), location)
    }

    private mutating func parseCallBlock(_ location: TemplateLocation) throws(TemplateError) -> Statement {
        let callerParameters = isOp("(") ? try parseParameters() : []
        let call = try parseExpression()
        guard case .call = call.kind else { throw .syntax("expected a call after 'call'", call.location) }
        try expectStatementEnd()
        let (body, _) = try parseBody(until: ["endcall"])
        try expectStatementEnd()
        return Statement(.callBlock(call, callerParameters: callerParameters, body: body), location)
    }

    // MARK: expressions

    /// An expression, or several separated by commas (a tuple, represented as a list).
    private mutating func parseTuple(allowConditional: Bool = true) throws(TemplateError) -> Expression {
        let location = current.location
        let first = allowConditional ? try parseExpression() : try parseOr()
        guard isOp(",") else { return first }
        var items = [first]
        while skipOp(",") {
            if atExpressionEnd { break }
            items.append(allowConditional ? try parseExpression() : try parseOr())
        }
        return Expression(.list(items), location)
    }

    private var atExpressionEnd: Bool {
        switch current.kind {
        case .statementEnd, .expressionEnd, .end: true
        case .op(let o): o == ")" || o == "]" || o == "}"
        default: false
        }
    }

    mutating func parseExpression() throws(TemplateError) -> Expression {
        let location = current.location
        var expr = try parseOr()
        while skipName("if") {
            let condition = try parseOr()
            let otherwise: Expression? = skipName("else") ? try parseExpression() : nil
            expr = Expression(.conditional(expr, condition: condition, otherwise: otherwise), location)
        }
        return expr
    }

    private mutating func parseOr() throws(TemplateError) -> Expression {
        var left = try parseAnd()
        while isName("or") {
            let location = advance().location
            left = Expression(.or(left, try parseAnd()), location)
        }
        return left
    }

    private mutating func parseAnd() throws(TemplateError) -> Expression {
        var left = try parseNot()
        while isName("and") {
            let location = advance().location
            left = Expression(.and(left, try parseNot()), location)
        }
        return left
    }

    private mutating func parseNot() throws(TemplateError) -> Expression {
        if isName("not") {
            let location = advance().location
            return Expression(.not(try parseNot()), location)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws(TemplateError) -> Expression {
        let location = current.location
        let left = try parseMath1()
        var operations: [(String, Expression)] = []
        while true {
            if case .op(let o) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                index += 1
                operations.append((o, try parseMath1()))
            } else if isName("in") {
                index += 1
                operations.append(("in", try parseMath1()))
            } else if isName("not"), case .name("in") = tokens[index + 1].kind {
                index += 2
                operations.append(("not in", try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : Expression(.compare(left, operations), location)
    }

    private mutating func parseBinary(_ ops: Set<String>, next: (inout Parser) throws(TemplateError) -> Expression) throws(TemplateError) -> Expression {
        var left = try next(&self)
        while case .op(let o) = current.kind, ops.contains(o) {
            let location = advance().location
            left = Expression(.binary(o, left, try next(&self)), location)
        }
        return left
    }

    private mutating func parseMath1() throws(TemplateError) -> Expression {
        try parseBinary(["+", "-"]) { (p: inout Parser) throws(TemplateError) in try p.parseConcat() }
    }

    private mutating func parseConcat() throws(TemplateError) -> Expression {
        try parseBinary(["~"]) { (p: inout Parser) throws(TemplateError) in try p.parseMath2() }
    }

    private mutating func parseMath2() throws(TemplateError) -> Expression {
        try parseBinary(["*", "/", "//", "%"]) { (p: inout Parser) throws(TemplateError) in try p.parsePow() }
    }

    private mutating func parsePow() throws(TemplateError) -> Expression {
        try parseBinary(["**"]) { (p: inout Parser) throws(TemplateError) in try p.parseUnary(withFilter: true) }
    }

    private mutating func parseUnary(withFilter: Bool) throws(TemplateError) -> Expression {
        let location = current.location
        var expr: Expression
        if skipOp("-") {
            expr = Expression(.negate(try parseUnary(withFilter: false)), location)
        } else if skipOp("+") {
            expr = Expression(.plus(try parseUnary(withFilter: false)), location)
        } else {
            expr = try parsePostfix(try parsePrimary())
        }
        if withFilter { expr = try parseFilterExpression(expr) }
        return expr
    }

    private mutating func parsePrimary() throws(TemplateError) -> Expression {
        let token = advance()
        let location = token.location
        switch token.kind {
        case .name(let n):
            switch n {
            case "true", "True": return Expression(.literal(.bool(true)), location)
            case "false", "False": return Expression(.literal(.bool(false)), location)
            case "none", "None": return Expression(.literal(.none), location)
            default: return Expression(.name(n), location)
            }
        case .string(var s):
            // Adjacent string literals concatenate, as in Python.
            while case .string(let more) = current.kind { s += more; index += 1 }
            return Expression(.literal(.string(s)), location)
        case .integer(let i): return Expression(.literal(.int(i)), location)
        case .float(let d): return Expression(.literal(.double(d)), location)
        case .op("("):
            if skipOp(")") { return Expression(.list([]), location) }
            let inner = try parseTuple()
            try expectOp(")")
            return inner
        case .op("["):
            var items: [Expression] = []
            while !isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if isOp("]") { break }
                items.append(try parseExpression())
            }
            try expectOp("]")
            return Expression(.list(items), location)
        case .op("{"):
            var pairs: [(Expression, Expression)] = []
            while !isOp("}") {
                if !pairs.isEmpty { try expectOp(",") }
                if isOp("}") { break }
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
            }
            try expectOp("}")
            return Expression(.dict(pairs), location)
        default:
            throw .syntax("unexpected \(describe(token))", location)
        }
    }

    private mutating func parsePostfix(_ base: Expression) throws(TemplateError) -> Expression {
        var expr = base
        while true {
            let location = current.location
            if skipOp(".") {
                switch advance().kind {
                case .name(let n): expr = Expression(.attribute(expr, n), location)
                case .integer(let i): expr = Expression(.index(expr, Expression(.literal(.int(i)), location)), location)
                default: throw .syntax("expected an attribute name after '.'", location)
                }
            } else if skipOp("[") {
                expr = try parseSubscript(expr, location)
            } else if isOp("(") {
                expr = Expression(.call(expr, try parseCallArguments()), expr.location)
            } else {
                return expr
            }
        }
    }

    private mutating func parseSubscript(_ base: Expression, _ location: TemplateLocation) throws(TemplateError) -> Expression {
        var parts: [Expression?] = []
        var current: Expression? = nil
        var isSlice = false
        while true {
            if skipOp(":") {
                isSlice = true
                parts.append(current)
                current = nil
            } else if skipOp("]") {
                parts.append(current)
                break
            } else {
                guard current == nil else { throw .syntax("expected ']' or ':' in subscript", self.current.location) }
                current = try parseExpression()
            }
        }
        if !isSlice {
            guard let key = parts[0] else { throw .syntax("empty subscript", location) }
            return Expression(.index(base, key), location)
        }
        guard parts.count <= 3 else { throw .syntax("too many ':' in slice", location) }
        return Expression(.slice(base, start: parts[0], stop: parts.count > 1 ? parts[1] : nil, step: parts.count > 2 ? parts[2] : nil), location)
    }

    private mutating func parseCallArguments() throws(TemplateError) -> [CallArgument] {
        try expectOp("(")
        var arguments: [CallArgument] = []
        while !isOp(")") {
            if !arguments.isEmpty { try expectOp(",") }
            if isOp(")") { break }
            if case .name(let n) = current.kind, case .op("=") = tokens[index + 1].kind {
                index += 2
                arguments.append(.keyword(n, try parseExpression()))
            } else {
                if isOp("*") || isOp("**") { throw .syntax("argument unpacking is not supported", current.location) }
                arguments.append(.positional(try parseExpression()))
            }
        }
        try expectOp(")")
        return arguments
    }

    private mutating func parseFilterExpression(_ base: Expression) throws(TemplateError) -> Expression {
        var expr = base
        while true {
            let location = current.location
            if skipOp("|") {
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                let arguments = isOp("(") ? try parseCallArguments() : []
                expr = Expression(.filter(expr, name: name, arguments), location)
            } else if skipName("is") {
                let negated = skipName("not")
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                var arguments: [CallArgument] = []
                if isOp("(") {
                    arguments = try parseCallArguments()
                } else if startsTestArgument {
                    arguments = [.positional(try parsePostfix(try parsePrimary()))]
                }
                expr = Expression(.test(expr, name: name, arguments, negated: negated), location)
            } else if isOp("(") {
                expr = Expression(.call(expr, try parseCallArguments()), expr.location)
            } else {
                return expr
            }
        }
    }

    /// jinja2 lets a test take one argument without parentheses: `x is divisibleby 3`.
    private var startsTestArgument: Bool {
        switch current.kind {
        case .name(let n): !["else", "or", "and", "is", "if", "in", "not"].contains(n)
        case .string, .integer, .float: true
        case .op(let o): o == "[" || o == "{"
        default: false
        }
    }
}
