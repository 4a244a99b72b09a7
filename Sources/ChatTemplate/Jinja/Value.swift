/// A value inside a template: the data model of Python as Jinja sees it.
public enum Value: Sendable {
    /// jinja2's default `Undefined`: prints as "", iterates as empty, fails on attribute access.
    /// The payload says what was looked up, for error messages.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    /// A string marked safe (`|safe`): markupsafe's `Markup`, which HTML-escapes plain strings
    /// added to it.
    case markup(String)
    case list([Value])
    /// A lazy sequence from `map`, `select`, `selectattr`, `unique`…: iterable once it is turned
    /// into a list, but (as a Python generator) it has no length and is not JSON serializable.
    case iterator([Value])
    case dict(OrderedDictionary<String, Value>)
    case namespace(Namespace)
    case function(Function)

    public static func object(_ pairs: KeyValuePairs<String, Value>) -> Value {
        var dict = OrderedDictionary<String, Value>()
        for (key, value) in pairs { dict[key] = value }
        return .dict(dict)
    }
}

/// `namespace()`: the one mutable object templates may create, so that loops can carry state out.
public final class Namespace: @unchecked Sendable {
    var attributes: OrderedDictionary<String, Value>
    init(_ attributes: OrderedDictionary<String, Value>) { self.attributes = attributes }
}

/// Anything callable from a template: globals, bound methods, macros.
public final class Function: @unchecked Sendable {
    let name: String
    let invoke: (Arguments) throws -> Value
    init(_ name: String, _ invoke: @escaping (Arguments) throws -> Value) {
        self.name = name
        self.invoke = invoke
    }
}

extension Value {
    /// Markup behaves as the plain string it holds everywhere except in `+`.
    var unmarked: Value { if case .markup(let s) = self { .string(s) } else { self } }

    var isUndefined: Bool { if case .undefined = self { true } else { false } }
    var isNone: Bool { if case .none = self { true } else { false } }

    /// Python truthiness.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        case .string(let s), .markup(let s): !s.isEmpty
        case .list(let l): !l.isEmpty
        case .dict(let d): !d.isEmpty
        case .namespace, .function, .iterator: true
        }
    }

    /// The Python type name, for error messages that match what a template author knows.
    var typeName: String {
        switch self {
        case .undefined: "Undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "str"
        case .markup: "Markup"
        case .list: "list"
        case .dict: "dict"
        case .namespace: "Namespace"
        case .function: "function"
        case .iterator: "generator"
        }
    }

    /// Numeric view: bool is an int in Python.
    var asDouble: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    var asInt: Int? {
        switch self {
        case .int(let i): i
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }
}

extension Value: Equatable {
    /// Python `==`: 1 == 1.0 == True, dicts compare without order, Undefined equals only Undefined.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs.unmarked, rhs.unmarked) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)): return a == b
        case (.dict(let a), .dict(let b)): return a == b
        case (.namespace(let a), .namespace(let b)): return a === b
        case (.function(let a), .function(let b)): return a === b
        default:
            if let a = lhs.asInt, let b = rhs.asInt { return a == b }
            if let a = lhs.asDouble, let b = rhs.asDouble { return a == b }
            return false
        }
    }
}
