/// The kind of a vocabulary entry as GGUF stores it in `tokenizer.ggml.token_type`.
public enum TokenType: Int32, Sendable, CaseIterable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6
}

/// Behaviour flags of one token. A token can carry several: a token of type `normal` whose text
/// marks the end of a turn is also treated as `control` (llama.cpp llama-vocab).
struct TokenAttributes: OptionSet, Sendable {
    let rawValue: UInt8

    static let normal = TokenAttributes(rawValue: 1 << 0)
    static let unknown = TokenAttributes(rawValue: 1 << 1)
    static let control = TokenAttributes(rawValue: 1 << 2)
    static let userDefined = TokenAttributes(rawValue: 1 << 3)
    static let unused = TokenAttributes(rawValue: 1 << 4)
    static let byte = TokenAttributes(rawValue: 1 << 5)

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init(_ type: TokenType) {
        switch type {
        case .undefined: self = []
        case .normal: self = .normal
        case .unknown: self = .unknown
        case .control: self = .control
        case .userDefined: self = .userDefined
        case .unused: self = .unused
        case .byte: self = .byte
        }
    }

    /// Tokens that are matched in the text before BPE runs.
    var isMatchedBeforeBPE: Bool { !intersection([.control, .userDefined, .unknown]).isEmpty }

    /// Tokens whose text is hidden unless the caller asks to see special tokens.
    var isHiddenByDefault: Bool { !intersection([.control, .unknown]).isEmpty }
}
