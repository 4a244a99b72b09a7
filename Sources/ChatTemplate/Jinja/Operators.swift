import Foundation

/// Python's arithmetic, comparison and membership operators.
extension Interpreter {
    func binary(_ op: String, _ a: Value, _ b: Value) throws(EvaluationError) -> Value {
        if op == "~" {
            let s = a.pythonString + b.pythonString
            try checkSize(s.utf8.count, what: "a string")
            return .string(s)
        }
        if case .undefined(let what) = a { throw .runtime(what) }
        if case .undefined(let what) = b { throw .runtime(what) }
        if op == "+" {
            // markupsafe: Markup + str escapes the plain side and stays Markup.
            switch (a, b) {
            case (.markup(let x), .string(let y)): return .markup(x + Self.escapeHTML(y))
            case (.string(let x), .markup(let y)): return .markup(Self.escapeHTML(x) + y)
            case (.markup(let x), .markup(let y)): return .markup(x + y)
            default: break
            }
        }
        let a = a.unmarked, b = b.unmarked
        switch op {
        case "+":
            switch (a, b) {
            case (.string(let x), .string(let y)):
                try checkSize(x.utf8.count + y.utf8.count, what: "a string")
                return .string(x + y)
            case (.list(let x), .list(let y)):
                try checkSize(x.count + y.count, what: "a list")
                return .list(x + y)
            default: return try arithmetic(op, a, b, { $0.addingReportingOverflow($1) }, +)
            }
        case "-": return try arithmetic(op, a, b, { $0.subtractingReportingOverflow($1) }, -)
        case "*":
            if case .string(let s) = a, let n = b.asInt { return try repeatString(s, n) }
            if case .string(let s) = b, let n = a.asInt { return try repeatString(s, n) }
            if case .list(let l) = a, let n = b.asInt { return try repeatList(l, n) }
            if case .list(let l) = b, let n = a.asInt { return try repeatList(l, n) }
            return try arithmetic(op, a, b, { $0.multipliedReportingOverflow(by: $1) }, *)
        case "/":
            guard let x = a.asDouble, let y = b.asDouble else { throw unsupported(op, a, b) }
            guard y != 0 else { throw .runtime("division by zero") }
            return .double(x / y)
        case "//":
            if let x = a.asInt, let y = b.asInt, !isDouble(a), !isDouble(b) {
                guard y != 0 else { throw .runtime("integer division or modulo by zero") }
                return .int(floorDivide(x, y))
            }
            guard let x = a.asDouble, let y = b.asDouble else { throw unsupported(op, a, b) }
            guard y != 0 else { throw .runtime("float floor division by zero") }
            return .double((x / y).rounded(.down))
        case "%":
            if case .string(let format) = a { return .string(try percentFormat(format, b)) }
            if let x = a.asInt, let y = b.asInt, !isDouble(a), !isDouble(b) {
                guard y != 0 else { throw .runtime("integer division or modulo by zero") }
                return .int(x - floorDivide(x, y) * y)
            }
            guard let x = a.asDouble, let y = b.asDouble else { throw unsupported(op, a, b) }
            guard y != 0 else { throw .runtime("float modulo") }
            let r = x.truncatingRemainder(dividingBy: y)
            return .double(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case "**":
            if let x = a.asInt, let y = b.asInt, !isDouble(a), !isDouble(b), y >= 0 {
                var result = 1
                for _ in 0..<min(y, 64) {
                    let (r, overflow) = result.multipliedReportingOverflow(by: x)
                    if overflow { throw .limit("integer overflow in \(x) ** \(y)") }
                    result = r
                }
                if y > 64 && abs(x) > 1 { throw .limit("integer overflow in \(x) ** \(y)") }
                if y > 64 { result = x == -1 && y % 2 == 1 ? -1 : (x == 0 ? 0 : 1) }
                return .int(result)
            }
            guard let x = a.asDouble, let y = b.asDouble else { throw unsupported(op, a, b) }
            return .double(pow(x, y))
        default:
            throw .runtime("unknown operator \(op)")
        }
    }

    /// markupsafe's escape.
    static func escapeHTML(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private func isDouble(_ v: Value) -> Bool { if case .double = v { true } else { false } }

    private func floorDivide(_ x: Int, _ y: Int) -> Int {
        let q = x / y
        return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q
    }

    private func unsupported(_ op: String, _ a: Value, _ b: Value) -> EvaluationError {
        .runtime("unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    private func arithmetic(_ op: String, _ a: Value, _ b: Value, _ intOp: (Int, Int) -> (partialValue: Int, overflow: Bool), _ doubleOp: (Double, Double) -> Double) throws(EvaluationError) -> Value {
        if let x = a.asInt, let y = b.asInt, !isDouble(a), !isDouble(b) {
            let (r, overflow) = intOp(x, y)
            if overflow { throw .limit("integer overflow in \(op)") }
            return .int(r)
        }
        guard let x = a.asDouble, let y = b.asDouble else { throw unsupported(op, a, b) }
        return .double(doubleOp(x, y))
    }

    private func repeatString(_ s: String, _ n: Int) throws(EvaluationError) -> Value {
        guard n > 0 else { return .string("") }
        let (total, overflow) = s.utf8.count.multipliedReportingOverflow(by: n)
        if overflow { throw .limit("a string grew beyond \(limits.maxOutputLength) characters") }
        try checkSize(total, what: "a string")
        return .string(String(repeating: s, count: n))
    }

    private func repeatList(_ l: [Value], _ n: Int) throws(EvaluationError) -> Value {
        guard n > 0 else { return .list([]) }
        let (total, overflow) = l.count.multipliedReportingOverflow(by: n)
        if overflow { throw .limit("a list grew beyond \(limits.maxOutputLength) items") }
        try checkSize(total, what: "a list")
        var out: [Value] = []
        for _ in 0..<n { out += l }
        return .list(out)
    }

    /// `"%s" % value`: the printf-style formatting Python offers on strings (s, d, i, r, f, %).
    private func percentFormat(_ format: String, _ argument: Value) throws(EvaluationError) -> String {
        var values: [Value]
        if case .list(let l) = argument { values = l } else { values = [argument] }
        var out = ""
        var it = format.makeIterator()
        while let c = it.next() {
            guard c == "%" else { out.append(c); continue }
            guard let spec = it.next() else { throw .runtime("incomplete format") }
            if spec == "%" { out.append("%"); continue }
            guard !values.isEmpty else { throw .runtime("not enough arguments for format string") }
            let v = values.removeFirst()
            switch spec {
            case "s": out += v.pythonString
            case "r": out += v.pythonRepr
            case "d", "i":
                guard let d = v.asDouble else { throw .runtime("%d format: a real number is required, not \(v.typeName)") }
                out += String(Int(d))
            case "f":
                guard let d = v.asDouble else { throw .runtime("%f format: a real number is required, not \(v.typeName)") }
                out += PythonFloat.fixed(d, digits: 6)
            default: throw .runtime("unsupported format character '\(spec)'")
            }
        }
        if !values.isEmpty { throw .runtime("not all arguments converted during string formatting") }
        return out
    }

    func compare(_ op: String, _ a: Value, _ b: Value) throws(EvaluationError) -> Bool {
        let a = a.unmarked, b = b.unmarked
        switch op {
        case "==": return a == b
        case "!=": return a != b
        case "in": return try contains(b, a)
        case "not in": return !(try contains(b, a))
        default:
            let order = try ordering(a, b, op)
            switch op {
            case "<": return order < 0
            case "<=": return order <= 0
            case ">": return order > 0
            default: return order >= 0
            }
        }
    }

    /// Python ordering between two values: numbers, strings (by code point) and lists.
    func ordering(_ a: Value, _ b: Value, _ op: String = "<") throws(EvaluationError) -> Int {
        switch (a.unmarked, b.unmarked) {
        case (.string(let x), .string(let y)):
            if x.unicodeScalars.elementsEqual(y.unicodeScalars) { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) { $0.value < $1.value } ? -1 : 1
        case (.list(let x), .list(let y)):
            for (p, q) in zip(x, y) where p != q { return try ordering(p, q, op) }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        default:
            if let x = a.asInt, let y = b.asInt, !isDouble(a), !isDouble(b) { return x == y ? 0 : (x < y ? -1 : 1) }
            if let x = a.asDouble, let y = b.asDouble { return x == y ? 0 : (x < y ? -1 : 1) }
            if case .undefined(let what) = a { throw .runtime(what) }
            if case .undefined(let what) = b { throw .runtime(what) }
            throw .runtime("'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    func contains(_ container: Value, _ needle: Value) throws(EvaluationError) -> Bool {
        let container = container.unmarked, needle = needle.unmarked
        switch container {
        case .string(let s):
            guard case .string(let n) = needle else {
                throw .runtime("'in <string>' requires string as left operand, not \(needle.typeName)")
            }
            return n.isEmpty || s.contains(n)
        case .list(let items), .iterator(let items): return items.contains(needle)
        case .dict(let d):
            return DictionaryKey.encode(needle).map { d[$0] != nil } ?? false
        case .namespace(let ns):
            if case .string(let k) = needle { return ns.attributes[k] != nil }
            return false
        case .undefined: return false
        default: throw .runtime("argument of type '\(container.typeName)' is not iterable")
        }
    }
}
