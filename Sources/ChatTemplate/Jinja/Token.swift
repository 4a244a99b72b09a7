/// One lexical unit of a Jinja template.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case text(String)          // raw template data between tags
        case expressionStart       // {{
        case expressionEnd         // }}
        case statementStart        // {%
        case statementEnd          // %}
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case op(String)            // punctuation and operators
        case end
    }
    let kind: Kind
    let location: TemplateLocation
}
