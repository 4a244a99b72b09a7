/// A dictionary that remembers insertion order, as Python's `dict` does.
///
/// Chat templates print tool schemas and arguments with `tojson`; Python keeps the order in
/// which keys were written, so the rendered prompt depends on it.
public struct OrderedDictionary<Key: Hashable & Sendable, Element: Sendable>: Sendable {
    public private(set) var keys: [Key] = []
    private var storage: [Key: Element] = [:]

    public init() {}

    public init(_ pairs: [(Key, Element)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: Key) -> Element? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var values: [Element] { keys.map { storage[$0]! } }

    public var pairs: [(key: Key, value: Element)] { keys.map { ($0, storage[$0]!) } }
}

extension OrderedDictionary: Equatable where Element: Equatable {
    /// Python compares dicts without regard to order.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.storage == rhs.storage }
}

extension OrderedDictionary: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (Key, Element)...) {
        for (key, value) in elements { self[key] = value }
    }
}
