/// The syntax tree of a compiled template. Nodes are immutable, so a compiled template can be
/// shared between concurrent renders.
final class Expression: Sendable {
    enum Kind: Sendable {
        case literal(Value)
        case name(String)
        case list([Expression])
        case dict([(Expression, Expression)])
        case attribute(Expression, String)
        case index(Expression, Expression)
        case slice(Expression, start: Expression?, stop: Expression?, step: Expression?)
        case call(Expression, [CallArgument])
        case filter(Expression, name: String, [CallArgument])
        case test(Expression, name: String, [CallArgument], negated: Bool)
        case negate(Expression)
        case plus(Expression)
        case not(Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        case binary(String, Expression, Expression)
        case compare(Expression, [(String, Expression)])
        case conditional(Expression, condition: Expression, otherwise: Expression?)
    }
    let kind: Kind
    let location: TemplateLocation
    init(_ kind: Kind, _ location: TemplateLocation) {
        self.kind = kind
        self.location = location
    }
}

enum CallArgument: Sendable {
    case positional(Expression)
    case keyword(String, Expression)
}

/// What `set` and `for` assign to.
enum AssignmentTarget: Sendable {
    case name(String)
    case names([String])
    case attribute(String, String)  // `ns.attr`, only valid on namespace objects
}

struct FilterApplication: Sendable {
    let name: String
    let arguments: [CallArgument]
    let location: TemplateLocation
}

struct MacroDefinition: Sendable {
    let name: String
    let parameters: [(String, Expression?)]
    let body: [Statement]
}

final class Statement: Sendable {
    enum Kind: Sendable {
        case text(String)
        case output(Expression)
        case conditional([(Expression?, [Statement])])
        case loop(target: AssignmentTarget, iterable: Expression, condition: Expression?, body: [Statement], otherwise: [Statement])
        case assign(AssignmentTarget, Expression)
        case assignBlock(AssignmentTarget, filters: [FilterApplication], body: [Statement])
        case macro(MacroDefinition)
        case callBlock(Expression, callerParameters: [(String, Expression?)], body: [Statement])
        case filterBlock([FilterApplication], body: [Statement])
        case scope(assignments: [(String, Expression)], body: [Statement])
        case passThrough([Statement])
        case breakLoop
        case continueLoop
    }
    let kind: Kind
    let location: TemplateLocation
    init(_ kind: Kind, _ location: TemplateLocation) {
        self.kind = kind
        self.location = location
    }
}
