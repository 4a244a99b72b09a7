import Synchronization

/// A byte-level BPE tokenizer that reproduces llama.cpp's token ids: special tokens are cut out of
/// the text first, the rest is split into words by the model's pre-tokenizer, and each word's
/// UTF-8 bytes are merged by rank. Safe to share between tasks.
public final class BPETokenizer: Sendable {
    public let vocabularySize: Int
    public let preTokenizer: PreTokenizer
    public let bosTokenID: Int32?
    public let eosTokenID: Int32?
    public let eotTokenID: Int32?
    public let eomTokenID: Int32?
    public let paddingTokenID: Int32?
    public let unknownTokenID: Int32?
    /// Whether `encode(_:addSpecial:parseSpecial:)` with `addSpecial` puts BOS first / EOS last.
    public let addsBOS: Bool
    public let addsEOS: Bool
    /// Every token that ends generation: EOS, EOT, EOM and the tokens recognised by their text.
    public let endOfGenerationTokenIDs: Set<Int32>

    private let texts: [String]
    private let attributes: [TokenAttributes]
    /// Each token's bytes as llama.cpp renders it with special tokens shown.
    private let renderedPieces: [[UInt8]]
    private let specialTokens: SpecialTokenMatcher
    private let mergeTable: BPEMergeTable
    private let cleansUpSpaces: Bool
    private let state: Mutex<EncodingState>

    private struct EncodingState: ~Copyable {
        var encoder = BPEWordEncoder()
        var cache: [[UInt8]: [Int32]] = [:]
    }

    /// Word cache bound; past it the cache starts over (prompts rarely hold that many distinct words).
    private static let cacheLimit = 65_536

    public init(configuration: TokenizerConfiguration) throws {
        guard !configuration.tokens.isEmpty else { throw TokenizerError.emptyVocabulary }
        let count = configuration.tokens.count
        if !configuration.tokenTypes.isEmpty && configuration.tokenTypes.count < count {
            throw TokenizerError.tokenTypeCountMismatch(tokens: count, types: configuration.tokenTypes.count)
        }

        // An empty token text gets a visible stand-in so it can neither match nor vanish (llama.cpp).
        var texts = configuration.tokens
        var idByText: [String: Int32] = [:]
        idByText.reserveCapacity(count)
        for id in texts.indices {
            if texts[id].isEmpty { texts[id] = "[EMPTY_\(id)]" }
            if let first = idByText[texts[id]] {
                throw TokenizerError.duplicateToken(texts[id], firstID: Int(first), secondID: id)
            }
            idByText[texts[id]] = Int32(id)
        }

        func validID(_ id: Int32?) -> Int32? {
            guard let id, id >= 0, Int(id) < count else { return nil }
            return id
        }

        var attributes = (0..<count).map { id in
            configuration.tokenTypes.isEmpty ? TokenAttributes.normal : TokenAttributes(configuration.tokenTypes[id])
        }

        let eot = validID(configuration.eotTokenID)
            ?? SpecialTokenNames.endOfTurn.lazy.compactMap { idByText[$0] }.first
        let eom = validID(configuration.eomTokenID) ?? idByText[SpecialTokenNames.endOfMessage]
        var endOfGeneration = Set<Int32>()
        for (text, id) in idByText {
            if SpecialTokenNames.endOfGeneration.contains(text) || SpecialTokenNames.fillInMiddleEnds.contains(text) {
                endOfGeneration.insert(id)
                attributes[Int(id)].insert(.control)
            } else if SpecialTokenNames.fillInMiddleMarkers.contains(text) {
                attributes[Int(id)].insert(.control)
            }
        }
        for id in [eot, eom].compactMap({ $0 }) { attributes[Int(id)].insert(.control) }
        let eos = validID(configuration.eosTokenID)
        for id in [eos, eot, eom].compactMap({ $0 }) { endOfGeneration.insert(id) }

        let preTokenizer = PreTokenizer(ggufName: configuration.preTokenizer)
        self.vocabularySize = count
        self.preTokenizer = preTokenizer
        self.bosTokenID = validID(configuration.bosTokenID)
        self.eosTokenID = eos
        self.eotTokenID = eot
        self.eomTokenID = eom
        self.paddingTokenID = validID(configuration.paddingTokenID)
        self.unknownTokenID = validID(configuration.unknownTokenID)
        self.addsBOS = configuration.addBOS ?? preTokenizer.addsBOSByDefault
        self.addsEOS = configuration.addEOS ?? false
        self.endOfGenerationTokenIDs = endOfGeneration
        self.cleansUpSpaces = configuration.cleanUpTokenizationSpaces
            ?? preTokenizer.cleansSpacesByDefault(ggufName: configuration.preTokenizer)
        self.texts = texts
        self.attributes = attributes
        self.renderedPieces = zip(texts, attributes).map(Self.renderedPiece)
        self.specialTokens = SpecialTokenMatcher(texts: texts, attributes: attributes)
        self.mergeTable = BPEMergeTable(tokens: texts, merges: configuration.merges)
        self.state = Mutex(EncodingState())
    }

    // MARK: Encoding

    /// Token ids of `text`. `addSpecial` adds BOS/EOS where the model asks for them;
    /// `parseSpecial` lets control tokens written in the text (`<|im_start|>`) become those tokens
    /// instead of being spelled out.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        let bytes = Array(text.utf8)
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 3 + 2)
        if addSpecial && addsBOS, let bos = bosTokenID { output.append(bos) }
        let fragments = specialTokens.partition(bytes, parseSpecial: parseSpecial)
        state.withLock { state in
            for fragment in fragments {
                switch fragment {
                case let .token(id):
                    output.append(id)
                case let .text(range):
                    encodeOrdinaryText(bytes[range], state: &state, output: &output)
                }
            }
        }
        if addSpecial && addsEOS, let eos = eosTokenID { output.append(eos) }
        return output
    }

    private func encodeOrdinaryText(_ bytes: ArraySlice<UInt8>, state: inout EncodingState, output: inout [Int32]) {
        // Special-token cuts fall on scalar boundaries of valid UTF-8, so the slice decodes cleanly.
        var scalars: [Unicode.Scalar] = []
        var byteOffsets: [Int] = []
        scalars.reserveCapacity(bytes.count)
        byteOffsets.reserveCapacity(bytes.count + 1)
        var offset = bytes.startIndex
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            scalars.append(scalar)
            byteOffsets.append(offset)
            offset += UTF8.width(scalar)
        }
        byteOffsets.append(offset)
        let classes = scalars.map(ScalarClass.init)

        var wordStart = 0
        for wordEnd in preTokenizer.split(scalars, classes: classes) {
            let word = bytes[byteOffsets[wordStart]..<byteOffsets[wordEnd]]
            wordStart = wordEnd
            encodeWord(word, state: &state, output: &output)
        }
    }

    private func encodeWord(_ word: ArraySlice<UInt8>, state: inout EncodingState, output: inout [Int32]) {
        let key = Array(word)
        if let cached = state.cache[key] {
            output.append(contentsOf: cached)
            return
        }
        var ids: [Int32] = []
        if preTokenizer.ignoresMergesForKnownWords, let whole = mergeTable.pieceByBytes[key], mergeTable.isToken(whole) {
            ids.append(whole)
        } else {
            state.encoder.encode(word, table: mergeTable, output: &ids)
        }
        if state.cache.count >= Self.cacheLimit { state.cache.removeAll(keepingCapacity: true) }
        state.cache[key] = ids
        output.append(contentsOf: ids)
    }

    // MARK: Decoding

    /// The text of `tokens`. Control tokens are left out unless `renderSpecial` is set; spaces
    /// before punctuation are cleaned up where the model's tokenizer does so.
    public func decode(_ tokens: [Int32], renderSpecial: Bool = false) -> String {
        var bytes: [UInt8] = []
        for token in tokens { bytes.append(contentsOf: pieceBytes(token, renderSpecial: renderSpecial)) }
        if cleansUpSpaces { TokenizationSpaceCleanup.apply(&bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The raw bytes one token stands for, control tokens spelled out (what a grammar matches).
    /// Empty for ids outside the vocabulary and for unused tokens.
    public func tokenBytes(_ id: Int32) -> [UInt8] {
        pieceBytes(id, renderSpecial: true)
    }

    /// The bytes of one token as the detokenizer emits it.
    func pieceBytes(_ id: Int32, renderSpecial: Bool) -> [UInt8] {
        guard id >= 0, Int(id) < vocabularySize else { return [] }
        if !renderSpecial && attributes[Int(id)].isHiddenByDefault { return [] }
        return renderedPieces[Int(id)]
    }

    // MARK: Token facts

    /// The token's text as the vocabulary stores it (byte-level alphabet for ordinary tokens).
    public func tokenText(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < vocabularySize else { return nil }
        return texts[Int(id)]
    }

    public func isEndOfGeneration(_ id: Int32) -> Bool { endOfGenerationTokenIDs.contains(id) }

    /// Control tokens (chat markers, BOS/EOS) are hidden in decoded text by default.
    public func isControl(_ id: Int32) -> Bool {
        guard id >= 0, Int(id) < vocabularySize else { return false }
        return attributes[Int(id)].isHiddenByDefault
    }

    /// llama.cpp `token_to_piece` with special tokens shown: special and added tokens are their
    /// text, ordinary tokens are decoded from the byte-level alphabet, byte tokens are `<0xXX>`.
    private static func renderedPiece(text: String, attributes: TokenAttributes) -> [UInt8] {
        if !attributes.intersection([.unknown, .control, .userDefined]).isEmpty { return Array(text.utf8) }
        if attributes.contains(.normal) {
            var bytes: [UInt8] = []
            for scalar in text.unicodeScalars {
                if let byte = ByteLevelAlphabet.byte(for: scalar) {
                    bytes.append(byte)
                } else {
                    // A scalar outside the alphabet is reported inline, as llama.cpp does.
                    let hex = String(scalar).utf8.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
                    bytes.append(contentsOf: "[UNK_BYTE_0x\(hex)\(text)]".utf8)
                }
            }
            return bytes
        }
        if attributes.contains(.byte) {
            let utf8 = Array(text.utf8)
            guard utf8.count >= 5, let value = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16) else { return [] }
            return [value]
        }
        return []
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
