/// Attribute access, subscripts, slices and the Python methods templates call on values.
extension Interpreter {
    /// `object.name`: jinja2 tries the Python attribute first (methods), then the item.
    func attribute(of object: Value, _ name: String) throws(EvaluationError) -> Value {
        let object = object.unmarked
        switch object {
        case .undefined(let what):
            throw .runtime(what)
        case .dict(let d):
            if Self.dictMethods.contains(name) { return boundMethod(object, name) }
            return d[name] ?? .undefined("'dict object' has no attribute '\(name)'")
        case .namespace(let ns):
            return ns.attributes[name] ?? .undefined("'Namespace' object has no attribute '\(name)'")
        case .string:
            if Self.stringMethods.contains(name) { return boundMethod(object, name) }
        case .list:
            if Self.listMethods.contains(name) { return boundMethod(object, name) }
        default:
            break
        }
        if Self.mutatingMethods.contains(name) {
            // ImmutableSandboxedEnvironment refuses methods that modify lists and dicts.
            return .function(Function(name) { _ throws in
                throw EvaluationError.runtime("access to attribute '\(name)' of '\(object.typeName)' object is unsafe")
            })
        }
        return .undefined("'\(object.typeName) object' has no attribute '\(name)'")
    }

    /// `object[key]`: missing keys and indexes give Undefined, as in jinja2.
    func item(of object: Value, _ key: Value) throws(EvaluationError) -> Value {
        let object = object.unmarked, key = key.unmarked
        switch (object, key) {
        case (.undefined(let what), _):
            throw .runtime(what)
        case (.dict(let d), .string(let k)):
            return d[k] ?? .undefined("'dict object' has no attribute '\(k)'")
        case (.namespace, .string(let k)):
            return try attribute(of: object, k)
        case (.dict(let d), _):
            if let k = DictionaryKey.encode(key), let v = d[k] { return v }
        case (.list(let items), _):
            guard let i = key.asInt else { break }
            let index = i < 0 ? items.count + i : i
            guard index >= 0 && index < items.count else { return .undefined("list object has no element \(i)") }
            return items[index]
        case (.string(let s), _):
            guard let i = key.asInt else { break }
            let scalars = Array(s.unicodeScalars)
            let index = i < 0 ? scalars.count + i : i
            guard index >= 0 && index < scalars.count else { return .undefined("string index out of range") }
            return .string(String(scalars[index]))
        case (_, .string(let k)):
            return try attribute(of: object, k)
        default:
            break
        }
        return .undefined("'\(object.typeName) object' has no attribute \(key.pythonRepr)")
    }

    func slice(_ object: Value, _ start: Value?, _ stop: Value?, _ step: Value?) throws(EvaluationError) -> Value {
        let object = object.unmarked
        if case .undefined(let what) = object { throw .runtime(what) }
        func bound(_ v: Value?) throws(EvaluationError) -> Int? {
            guard let v, !v.isNone else { return nil }
            guard let i = v.asInt else { throw .runtime("slice indices must be integers or None") }
            return i
        }
        let a = try bound(start), b = try bound(stop)
        let stride = try bound(step) ?? 1
        guard stride != 0 else { throw .runtime("slice step cannot be zero") }
        func indices(_ count: Int) -> [Int] {
            func clamp(_ i: Int?, _ defaultValue: Int) -> Int {
                guard var i else { return defaultValue }
                if i < 0 { i += count }
                return stride > 0 ? min(max(i, 0), count) : min(max(i, -1), count - 1)
            }
            let from = clamp(a, stride > 0 ? 0 : count - 1)
            let to = clamp(b, stride > 0 ? count : -1)
            var out: [Int] = []
            var i = from
            while stride > 0 ? i < to : i > to { out.append(i); i += stride }
            return out
        }
        switch object {
        case .list(let items):
            return .list(indices(items.count).map { items[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in indices(scalars.count) { out.append(scalars[i]) }
            return .string(String(out))
        default:
            return .undefined("'\(object.typeName)' object is not subscriptable")
        }
    }

    static let dictMethods: Set<String> = ["get", "items", "keys", "values"]
    static let listMethods: Set<String> = ["index", "count"]
    static let mutatingMethods: Set<String> = ["append", "pop", "extend", "insert", "remove", "sort", "reverse", "clear", "update", "setdefault", "popitem", "add", "discard"]
    static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper", "lower",
        "title", "capitalize", "replace", "find", "rfind", "index", "count", "join", "isdigit", "isalpha",
        "isalnum", "isspace", "islower", "isupper", "removeprefix", "removesuffix", "format", "partition", "rpartition", "zfill",
    ]

    private func boundMethod(_ receiver: Value, _ name: String) -> Value {
        .function(Function(name) { [unowned self] (args: Arguments) throws in
            switch receiver {
            case .string(let s): return try self.callStringMethod(s, name, args)
            case .dict(let d): return try self.callDictMethod(d, name, args)
            case .list(let l): return try self.callListMethod(l, name, args)
            default: throw EvaluationError.runtime("'\(receiver.typeName)' object has no attribute '\(name)'")
            }
        })
    }

    private func callDictMethod(_ d: OrderedDictionary<String, Value>, _ name: String, _ args: Arguments) throws(EvaluationError) -> Value {
        switch name {
        case "get":
            let p = try args.bind(["key", "default"], function: "get")
            guard let key = p[0] else { throw .runtime("get expected at least 1 argument, got 0") }
            if let k = DictionaryKey.encode(key), let v = d[k] { return v }
            return p[1] ?? .none
        case "items":
            try args.requireNone(function: "items")
            return .list(d.pairs.map { .list([DictionaryKey.decode($0.key), $0.value]) })
        case "keys":
            try args.requireNone(function: "keys")
            return .list(d.keys.map(DictionaryKey.decode))
        default:
            try args.requireNone(function: "values")
            return .list(d.values)
        }
    }

    private func callListMethod(_ l: [Value], _ name: String, _ args: Arguments) throws(EvaluationError) -> Value {
        let p = try args.bind(["value"], function: name)
        guard let v = p[0] else { throw .runtime("\(name)() takes exactly one argument (0 given)") }
        if name == "count" { return .int(l.filter { $0 == v }.count) }
        guard let i = l.firstIndex(of: v) else { throw .runtime("\(v.pythonRepr) is not in list") }
        return .int(i)
    }

    private func callStringMethod(_ s: String, _ name: String, _ args: Arguments) throws(EvaluationError) -> Value {
        func string(_ v: Value?, _ what: String) throws(EvaluationError) -> String? {
            guard let v, !v.isNone else { return nil }
            guard case .string(let t) = v else { throw .runtime("\(name)() \(what) must be str, not \(v.typeName)") }
            return t
        }
        switch name {
        case "strip", "lstrip", "rstrip":
            let chars = try string(try args.bind(["chars"], function: name)[0], "argument")
            return .string(PythonString.strip(s, chars: chars, leading: name != "rstrip", trailing: name != "lstrip"))
        case "split", "rsplit":
            let p = try args.bind(["sep", "maxsplit"], function: name)
            let sep = try string(p[0], "separator")
            let maxsplit = p[1]?.asInt ?? -1
            if sep == "" { throw .runtime("empty separator") }
            return .list(PythonString.split(s, separator: sep, maxSplit: maxsplit, fromRight: name == "rsplit").map { .string($0) })
        case "splitlines":
            let keep = try args.bind(["keepends"], function: name)[0]?.isTruthy ?? false
            return .list(PythonString.splitLines(s, keepEnds: keep).map { .string($0) })
        case "startswith", "endswith":
            let p = try args.bind(["prefix"], function: name)
            var candidates: [String] = []
            switch p[0] {
            case .string(let t)?: candidates = [t]
            case .list(let items)?:
                for item in items {
                    guard case .string(let t) = item else { throw .runtime("\(name) first arg must be str or a tuple of str") }
                    candidates.append(t)
                }
            default: throw .runtime("\(name) first arg must be str or a tuple of str, not \(p[0]?.typeName ?? "nothing")")
            }
            let scalars = Array(s.unicodeScalars)
            return .bool(candidates.contains { c in
                let cs = Array(c.unicodeScalars)
                return name == "startswith" ? scalars.starts(with: cs) : scalars.reversed().starts(with: cs.reversed())
            })
        case "upper": try args.requireNone(function: name); return .string(s.uppercased())
        case "lower": try args.requireNone(function: name); return .string(s.lowercased())
        case "title": try args.requireNone(function: name); return .string(PythonString.title(s))
        case "capitalize": try args.requireNone(function: name); return .string(PythonString.capitalize(s))
        case "replace":
            let p = try args.bind(["old", "new", "count"], function: name)
            guard let old = try string(p[0], "argument 1"), let new = try string(p[1], "argument 2") else {
                throw .runtime("replace expected at least 2 arguments")
            }
            let result = PythonString.replace(s, old, new, count: p[2]?.asInt ?? -1)
            try checkSize(result.utf8.count, what: "a string")
            return .string(result)
        case "find", "rfind", "index":
            guard let needle = try string(try args.bind(["sub"], function: name)[0], "argument") else {
                throw .runtime("\(name)() takes at least 1 argument")
            }
            let position = PythonString.find(s, needle, fromRight: name == "rfind")
            if name == "index" && position < 0 { throw .runtime("substring not found") }
            return .int(position)
        case "count":
            guard let needle = try string(try args.bind(["sub"], function: name)[0], "argument") else {
                throw .runtime("count() takes at least 1 argument")
            }
            return .int(PythonString.split(s, separator: needle, maxSplit: -1, fromRight: false).count - 1)
        case "join":
            guard let iterable = try args.bind(["iterable"], function: name)[0] else { throw .runtime("join() takes exactly one argument") }
            var parts: [String] = []
            for item in try iterate(iterable) {
                guard case .string(let t) = item else { throw .runtime("sequence item: expected str instance, \(item.typeName) found") }
                parts.append(t)
            }
            let result = parts.joined(separator: s)
            try checkSize(result.utf8.count, what: "a string")
            return .string(result)
        case "isdigit": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit })
        case "isalpha": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isWhitespace })
        case "islower": return .bool(s.contains { $0.isCased } && s == s.lowercased())
        case "isupper": return .bool(s.contains { $0.isCased } && s == s.uppercased())
        case "removeprefix", "removesuffix":
            guard let affix = try string(try args.bind(["affix"], function: name)[0], "argument") else { throw .runtime("\(name)() takes exactly one argument") }
            if name == "removeprefix", s.hasPrefix(affix) { return .string(String(s.dropFirst(affix.count))) }
            if name == "removesuffix", s.hasSuffix(affix), !affix.isEmpty { return .string(String(s.dropLast(affix.count))) }
            return .string(s)
        case "partition", "rpartition":
            guard let sep = try string(try args.bind(["sep"], function: name)[0], "argument"), !sep.isEmpty else { throw .runtime("empty separator") }
            let parts = PythonString.split(s, separator: sep, maxSplit: 1, fromRight: name == "rpartition")
            if parts.count == 2 { return .list([.string(parts[0]), .string(sep), .string(parts[1])]) }
            return name == "partition" ? .list([.string(s), .string(""), .string("")]) : .list([.string(""), .string(""), .string(s)])
        case "zfill":
            guard let width = try args.bind(["width"], function: name)[0]?.asInt else { throw .runtime("zfill() takes exactly one integer argument") }
            let count = s.unicodeScalars.count
            guard width > count else { return .string(s) }
            try checkSize(width, what: "a string")
            let pad = String(repeating: "0", count: width - count)
            if let first = s.first, first == "-" || first == "+" { return .string(String(first) + pad + s.dropFirst()) }
            return .string(pad + s)
        case "format":
            return .string(try PythonString.format(s, args))
        default:
            throw .runtime("'str' object has no attribute '\(name)'")
        }
    }
}
