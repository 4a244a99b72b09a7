/// Variables visible at one point of a render. Loops, macros and `with` open a child scope,
/// which is why a `set` inside a loop does not change the variable outside it (jinja2 rules).
final class Scope {
    private var variables: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let s = scope {
            if let v = s.variables[name] { return v }
            scope = s.parent
        }
        return nil
    }

    func lookupLocal(_ name: String) -> Value? { variables[name] }

    func set(_ name: String, _ value: Value) { variables[name] = value }
}
