/// jinja2's built-in filters, with transformers' `tojson` in place of jinja2's own.
extension Interpreter {
    func applyFilter(_ name: String, to value: Value, arguments args: Arguments, at location: TemplateLocation) throws -> Value {
        self.location = location
        switch name {
        case "safe":
            try args.requireNone(function: name)
            return .markup(value.pythonString)
        case "escape", "e":
            if case .markup = value { return value }
            return .markup(Self.escapeHTML(value.pythonString))
        default: break
        }
        let value = value.unmarked
        let s = { value.pythonString }
        switch name {
        case "string":
            try args.requireNone(function: name)
            return .string(s())
        case "trim":
            let chars = try args.bind(["chars"], function: name)[0]
            return .string(PythonString.strip(s(), chars: chars.flatMap { if case .string(let c) = $0 { c } else { nil } }, leading: true, trailing: true))
        case "upper": return .string(s().uppercased())
        case "lower": return .string(s().lowercased())
        case "capitalize": return .string(PythonString.capitalize(s()))
        case "title": return .string(Self.titleFilter(s()))
        case "length", "count":
            switch value {
            case .undefined: return .int(0)
            case .string(let t): return .int(t.unicodeScalars.count)
            case .list(let l): return .int(l.count)
            case .dict(let d): return .int(d.count)
            default: throw EvaluationError.runtime("object of type '\(value.typeName)' has no len()")
            }
        case "default", "d":
            let p = try args.bind(["default_value", "boolean"], function: name)
            let useDefault = value.isUndefined || ((p[1]?.isTruthy ?? false) && !value.isTruthy)
            return useDefault ? (p[0] ?? .string("")) : value
        case "first":
            if case .undefined(let what) = value { throw EvaluationError.runtime(what) }
            return try iterate(value).first ?? .undefined("No first item, sequence was empty.")
        case "last":
            if case .undefined(let what) = value { throw EvaluationError.runtime(what) }
            if case .iterator = value { throw EvaluationError.runtime("'generator' object is not reversible") }
            return try iterate(value).last ?? .undefined("No last item, sequence was empty.")
        case "list":
            return .list(try iterate(value))
        case "items":
            switch value {
            case .undefined: return .iterator([])
            case .dict(let d): return .iterator(d.pairs.map { .list([DictionaryKey.decode($0.key), $0.value]) })
            default: throw EvaluationError.runtime("items filter: can only get item pairs from a mapping, not \(value.typeName)")
            }
        case "join":
            let p = try args.bind(["d", "attribute"], function: name)
            let separator = p[0]?.pythonString ?? ""
            var items = try iterate(value)
            if let attribute = p[1] { items = try items.map { try lookupPath($0, attribute) } }
            let result = items.map(\.pythonString).joined(separator: separator)
            try checkSize(result.utf8.count, what: "a string")
            return .string(result)
        case "replace":
            let p = try args.bind(["old", "new", "count"], function: name)
            guard let old = p[0], let new = p[1] else { throw EvaluationError.runtime("replace() needs old and new strings") }
            let result = PythonString.replace(s(), old.pythonString, new.pythonString, count: p[2]?.asInt ?? -1)
            try checkSize(result.utf8.count, what: "a string")
            return .string(result)
        case "indent":
            let p = try args.bind(["width", "first", "blank"], function: name)
            let indentation: String
            if case .string(let t)? = p[0] { indentation = t } else { indentation = String(repeating: " ", count: max(0, p[0]?.asInt ?? 4)) }
            return .string(Self.indent(s(), indentation, first: p[1]?.isTruthy ?? false, blank: p[2]?.isTruthy ?? false))
        case "tojson":
            let p = try args.bind(["ensure_ascii", "indent", "separators", "sort_keys"], function: name)
            var options = JSON.DumpOptions()
            options.ensureASCII = p[0]?.isTruthy ?? false
            switch p[1] {
            case .int(let n)?: options.indent = String(repeating: " ", count: max(0, n))
            case .string(let t)?: options.indent = t
            default: break
            }
            if case .list(let seps)? = p[2], seps.count == 2 {
                options.itemSeparator = seps[0].pythonString
                options.keySeparator = seps[1].pythonString
            }
            options.sortKeys = p[3]?.isTruthy ?? false
            do {
                let text = try JSON.dump(value, options: options)
                try checkSize(text.utf8.count, what: "a string")
                return .string(text)
            } catch JSON.DumpError.notSerializable(let message) {
                throw EvaluationError.runtime(message)
            }
        case "int":
            let p = try args.bind(["default", "base"], function: name)
            return Self.toInt(value, base: p[1]?.asInt ?? 10) ?? p[0] ?? .int(0)
        case "float":
            let p = try args.bind(["default"], function: name)
            return Self.toDouble(value) ?? p[0] ?? .double(0)
        case "abs":
            switch value {
            case .int(let i): return .int(abs(i))
            case .double(let d): return .double(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default: throw EvaluationError.runtime("bad operand type for abs(): '\(value.typeName)'")
            }
        case "round":
            let p = try args.bind(["precision", "method"], function: name)
            guard let d = value.asDouble else { throw EvaluationError.runtime("round filter needs a number") }
            let factor = pow(10.0, Double(p[0]?.asInt ?? 0))
            let method = p[1]?.pythonString ?? "common"
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrAwayFromZero
            return .double((d * factor).rounded(rule) / factor)
        case "reverse":
            if case .string(let t) = value { return .string(String(t.unicodeScalars.reversed().map(Character.init))) }
            return .iterator(try iterate(value).reversed())
        case "sort":
            let p = try args.bind(["reverse", "case_sensitive", "attribute"], function: name)
            let caseSensitive = p[1]?.isTruthy ?? false
            let keyed = try iterate(value).map { item throws in (try sortKey(item, attribute: p[2], caseSensitive: caseSensitive), item) }
            var failure: Error?
            var sorted = keyed.enumerated().sorted { l, r in
                do {
                    let order = try ordering(l.element.0, r.element.0)
                    return order == 0 ? l.offset < r.offset : order < 0
                } catch { failure = error; return false }
            }.map(\.element.1)
            if let failure { throw failure }
            if p[0]?.isTruthy ?? false { sorted.reverse() }
            return .list(sorted)
        case "dictsort":
            let p = try args.bind(["case_sensitive", "by", "reverse"], function: name)
            guard case .dict(let d) = value else { throw EvaluationError.runtime("dictsort filter needs a mapping") }
            let byValue = p[1]?.pythonString == "value"
            let caseSensitive = p[0]?.isTruthy ?? false
            var failure: Error?
            var pairs = d.pairs.sorted { l, r in
                do {
                    let a = try sortKey(byValue ? l.value : DictionaryKey.decode(l.key), attribute: nil, caseSensitive: caseSensitive)
                    let b = try sortKey(byValue ? r.value : DictionaryKey.decode(r.key), attribute: nil, caseSensitive: caseSensitive)
                    return try ordering(a, b) < 0
                } catch { failure = error; return false }
            }
            if let failure { throw failure }
            if p[2]?.isTruthy ?? false { pairs.reverse() }
            return .list(pairs.map { .list([DictionaryKey.decode($0.key), $0.value]) })
        case "unique":
            let p = try args.bind(["case_sensitive", "attribute"], function: name)
            var seen: [Value] = []
            var out: [Value] = []
            for item in try iterate(value) {
                let key = try sortKey(item, attribute: p[1], caseSensitive: p[0]?.isTruthy ?? false)
                if !seen.contains(key) { seen.append(key); out.append(item) }
            }
            return .iterator(out)
        case "min", "max":
            let p = try args.bind(["case_sensitive", "attribute"], function: name)
            var best: (Value, Value)? = nil
            for item in try iterate(value) {
                let key = try sortKey(item, attribute: p[1], caseSensitive: p[0]?.isTruthy ?? false)
                if let current = best {
                    let order = try ordering(key, current.0)
                    if (name == "min" && order < 0) || (name == "max" && order > 0) { best = (key, item) }
                } else {
                    best = (key, item)
                }
            }
            return best?.1 ?? .undefined("No aggregated item, sequence was empty.")
        case "sum":
            let p = try args.bind(["attribute", "start"], function: name)
            var total = p[1] ?? .int(0)
            for item in try iterate(value) {
                total = try binary("+", total, p[0] == nil ? item : try lookupPath(item, p[0]!))
            }
            return total
        case "map":
            // jinja2's map, select and reject yield nothing for a falsy value (None included).
            let items = value.isTruthy ? try iterate(value) : []
            if let attribute = args.keyword.first(where: { $0.0 == "attribute" })?.1 {
                let fallback = args.keyword.first(where: { $0.0 == "default" })?.1
                return .iterator(try items.map { item throws in
                    let v = try lookupPath(item, attribute)
                    if v.isUndefined, let fallback { return fallback }
                    return v
                })
            }
            guard case .string(let filterName)? = args.positional.first else { throw EvaluationError.runtime("map requires a filter name or attribute=") }
            let rest = Arguments(positional: Array(args.positional.dropFirst()), keyword: args.keyword)
            return .iterator(try items.map { try applyFilter(filterName, to: $0, arguments: rest, at: location) })
        case "select", "reject", "selectattr", "rejectattr":
            let byAttribute = name.hasSuffix("attr")
            var positional = args.positional
            var attribute: Value? = nil
            if byAttribute {
                guard !positional.isEmpty else { throw EvaluationError.runtime("\(name) needs an attribute name") }
                attribute = positional.removeFirst()
            }
            let testName = positional.isEmpty ? nil : positional.removeFirst().pythonString
            let testArgs = Arguments(positional: positional, keyword: args.keyword)
            let keep = name.hasPrefix("select")
            var out: [Value] = []
            for item in value.isTruthy ? try iterate(value) : [] {
                let subject = try attribute.map { try lookupPath(item, $0) } ?? item
                let passed = try testName.map { try applyTest($0, to: subject, arguments: testArgs) } ?? subject.isTruthy
                if passed == keep { out.append(item) }
            }
            return .iterator(out)
        case "attr":
            guard let n = try args.bind(["name"], function: name)[0] else { throw EvaluationError.runtime("attr filter needs a name") }
            return try attribute(of: value, n.pythonString)
        case "wordcount":
            return .int(PythonString.split(s(), separator: nil, maxSplit: -1, fromRight: false).count)
        case "center":
            let width = try args.bind(["width"], function: name)[0]?.asInt ?? 80
            let text = s()
            let count = text.unicodeScalars.count
            guard width > count else { return .string(text) }
            try checkSize(width, what: "a string")
            let total = width - count
            let left = total / 2 + (total & width & 1)
            return .string(String(repeating: " ", count: left) + text + String(repeating: " ", count: total - left))
        case "format":
            return .string(try binary("%", value, .list(args.positional)).pythonString)
        default:
            throw EvaluationError.runtime("no filter named '\(name)'")
        }
    }

    /// `attribute="a.b"` in filters: each part is an item lookup (integers index lists).
    func lookupPath(_ item: Value, _ path: Value) throws(EvaluationError) -> Value {
        if let i = path.asInt { return try self.item(of: item, .int(i)) }
        var current = item
        for part in path.pythonString.split(separator: ".", omittingEmptySubsequences: false) {
            current = try self.item(of: current, Int(part).map { .int($0) } ?? .string(String(part)))
            if current.isUndefined { return current }
        }
        return current
    }

    private func sortKey(_ item: Value, attribute: Value?, caseSensitive: Bool) throws(EvaluationError) -> Value {
        var v = item
        if let attribute { v = try lookupPath(item, attribute) }
        if !caseSensitive, case .string(let t) = v { return .string(t.lowercased()) }
        return v
    }

    /// jinja2's `title` filter capitalises after spaces, dashes and opening brackets.
    static func titleFilter(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s {
            let isBoundary = c.isWhitespace || "-({[<".contains(c)
            if isBoundary { out.append(c); atWordStart = true; continue }
            out += atWordStart ? c.uppercased() : c.lowercased()
            atWordStart = false
        }
        return out
    }

    /// jinja2's `indent`: the first line and blank lines stay unindented unless asked.
    static func indent(_ s: String, _ indentation: String, first: Bool, blank: Bool) -> String {
        let lines = PythonString.splitLines(s + "\n", keepEnds: false)
        var rv: String
        if blank {
            rv = lines.joined(separator: "\n" + indentation)
        } else {
            rv = lines.first ?? ""
            let rest = lines.dropFirst()
            if !rest.isEmpty {
                rv += "\n" + rest.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
            }
        }
        return first ? indentation + rv : rv
    }

    static func toInt(_ v: Value, base: Int) -> Value? {
        switch v {
        case .int: return v
        case .bool(let b): return .int(b ? 1 : 0)
        case .double(let d): return d.isFinite ? .int(Int(d)) : nil
        case .string(let t):
            let trimmed = PythonString.strip(t, chars: nil, leading: true, trailing: true).replacingOccurrences(of: "_", with: "")
            if let i = Int(trimmed, radix: base) { return .int(i) }
            if let d = Double(trimmed), d.isFinite { return .int(Int(d)) }
            return nil
        default: return nil
        }
    }

    static func toDouble(_ v: Value) -> Value? {
        switch v {
        case .int(let i): return .double(Double(i))
        case .bool(let b): return .double(b ? 1 : 0)
        case .double: return v
        case .string(let t): return Double(PythonString.strip(t, chars: nil, leading: true, trailing: true)).map { .double($0) }
        default: return nil
        }
    }
}

import Foundation
